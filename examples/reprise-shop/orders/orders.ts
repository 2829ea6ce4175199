import { api, APIError } from "reprise/api";
import type { Min } from "reprise/validate";
import { catalog } from "~reprise/clients";
import { getAuthData } from "~reprise/auth";
import { orderPlaced } from "./events";

interface PlaceOrder {
  items: { productId: number; quantity: number & Min<1> }[];
}

interface Order {
  id: string;
  customerId: string;
  totalCents: number;
}

/** Places an order for the signed-in customer: reserves stock, then publishes an order-placed event. */
export const place = api(
  { method: "POST", path: "/orders", expose: true, auth: true },
  async ({ items }: PlaceOrder): Promise<Order> => {
    const customer = getAuthData()!;
    let total = 0;
    for (const item of items) {
      const product = await catalog.get({ id: item.productId });
      const { ok } = await catalog.reserve({ id: item.productId, quantity: item.quantity });
      if (!ok) throw APIError.failedPrecondition(`not enough stock for ${product.sku}`);
      total += product.priceCents * item.quantity;
    }
    const order: Order = { id: crypto.randomUUID(), customerId: customer.userID, totalCents: total };
    await orderPlaced.publish({ orderId: order.id, customerId: order.customerId, totalCents: total, placedAt: new Date() });
    return order;
  },
);

interface Progress {
  step: string;
  done: boolean;
}

/** Streams the fulfilment steps of an order to the client. */
export const track = api.streamOut<{ orderId: string }, Progress>(
  { path: "/orders/:orderId/track", expose: true },
  async (handshake, stream) => {
    for (const step of ["received", "packed", "shipped"]) await stream.send({ step, done: false });
    await stream.send({ step: "delivered", done: true });
    await stream.close();
  },
);

interface CartLine {
  productId: number;
  quantity: number;
}

/** Receives cart lines from the client and replies with the total once the stream ends. */
export const bulkQuote = api.streamIn<CartLine, { totalCents: number }>(
  { path: "/orders/quote", expose: true },
  async (stream) => {
    let total = 0;
    for await (const line of stream) {
      const p = await catalog.get({ id: line.productId });
      total += p.priceCents * line.quantity;
    }
    return { totalCents: total };
  },
);

interface ChatIn {
  text: string;
}
interface ChatOut {
  from: "agent" | "customer";
  text: string;
}

/** A support chat: every customer message is echoed back with an agent reply. */
export const support = api.streamInOut<{ orderId: string }, ChatIn, ChatOut>(
  { path: "/orders/:orderId/support", expose: true, auth: true },
  async (handshake, stream) => {
    for await (const msg of stream) {
      await stream.send({ from: "customer", text: msg.text });
      await stream.send({ from: "agent", text: `About order ${handshake.orderId}: we are on it.` });
    }
  },
);
