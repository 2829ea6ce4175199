import { api, APIError, type Header, type Query } from "reprise/api";
import type { Max, Min, MinLen } from "reprise/validate";
import { catalogDB, productImages } from "./db";

export interface Product {
  id: number;
  sku: string;
  name: string;
  priceCents: number;
  stock: number;
  imageUrl: string | null;
}

interface ProductRow {
  id: number;
  sku: string;
  name: string;
  price_cents: number;
  stock: number;
  image_key: string | null;
}

function toProduct(r: ProductRow): Product {
  return { id: r.id, sku: r.sku, name: r.name, priceCents: r.price_cents, stock: r.stock, imageUrl: r.image_key ? productImages.publicUrl(r.image_key) : null };
}

interface ListRequest {
  limit?: Query<number & Min<1> & Max<100>>;
  search?: Query<string>;
}

/** Lists products, optionally filtered by a name search. */
export const list = api(
  { method: "GET", path: "/products", expose: true, tags: ["public"] },
  async ({ limit, search }: ListRequest): Promise<{ products: Product[] }> => {
    const rows = await catalogDB.queryAll<ProductRow>`
      SELECT id, sku, name, price_cents, stock, image_key FROM products
      WHERE ${search ?? null}::text IS NULL OR name ILIKE '%' || ${search ?? ""} || '%'
      ORDER BY id LIMIT ${limit ?? 20}`;
    return { products: rows.map(toProduct) };
  },
);

/** One product by id. */
export const get = api(
  { method: "GET", path: "/products/:id", expose: true, tags: ["public"] },
  async ({ id }: { id: number }): Promise<Product> => {
    const row = await catalogDB.queryRow<ProductRow>`SELECT id, sku, name, price_cents, stock, image_key FROM products WHERE id = ${id}`;
    if (!row) throw APIError.notFound(`product ${id} not found`);
    return toProduct(row);
  },
);

interface CreateProduct {
  sku: string & MinLen<3>;
  name: string & MinLen<1>;
  priceCents: number & Min<0>;
  stock?: number & Min<0>;
  idempotencyKey?: Header<"Idempotency-Key">;
}

/** Adds a product (staff only). */
export const create = api(
  { method: "POST", path: "/products", expose: true, auth: true, bodyLimit: 64 * 1024, sensitive: false, tags: ["admin"] },
  async (req: CreateProduct): Promise<Product> => {
    const row = await catalogDB.queryRow<ProductRow>`
      INSERT INTO products (sku, name, price_cents, stock) VALUES (${req.sku}, ${req.name}, ${req.priceCents}, ${req.stock ?? 0})
      RETURNING id, sku, name, price_cents, stock, image_key`;
    return toProduct(row!);
  },
);

/** Reserves stock for an order; private, called by the orders service. */
export const reserve = api(
  { method: "POST", path: "/products/:id/reserve" },
  async ({ id, quantity }: { id: number; quantity: number & Min<1> }): Promise<{ ok: boolean }> => {
    const row = await catalogDB.queryRow<{ stock: number }>`
      UPDATE products SET stock = stock - ${quantity} WHERE id = ${id} AND stock >= ${quantity} RETURNING stock`;
    return { ok: row !== null };
  },
);

/** Stores a product photo sent as the raw request body (staff only). */
export const uploadImage = api.raw(
  { method: "PUT", path: "/products/:id/image", expose: true, auth: true, bodyLimit: 5 * 1024 * 1024 },
  async (req, resp) => {
    const id = new URL(req.url ?? "/", "http://localhost").pathname.split("/")[2];
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const key = `products/${id}.jpg`;
    await productImages.upload(key, Buffer.concat(chunks), { contentType: req.headers["content-type"] ?? "image/jpeg" });
    await catalogDB.exec`UPDATE products SET image_key = ${key} WHERE id = ${Number(id)}`;
    resp.writeHead(204).end();
  },
);

/** The shop's landing page and other static files. */
export const assets = api.static({ path: "/!rest", dir: "./assets", expose: true, notFound: "./assets/404.html", notFoundStatus: 404 });
