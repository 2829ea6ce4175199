import { api } from "encore.dev/api";
import { Bucket } from "encore.dev/storage/objects";

export const images = new Bucket("blog-images", { versioned: true });

/** A short-lived URL the browser uploads an image to directly. */
export const uploadUrl = api(
  { method: "POST", path: "/media/upload-url", expose: true, auth: true },
  async ({ name }: { name: string }): Promise<{ url: string }> => {
    const { url } = await images.signedUploadUrl(name, { ttl: 600 });
    return { url };
  },
);

/** Receives storage webhooks (raw body, verified by the storage provider's signature header). */
export const webhook = api.raw({ method: "POST", path: "/media/webhook", expose: true }, async (req, resp) => {
  const exists = await images.exists(String(req.headers["x-object-name"] ?? ""));
  resp.writeHead(exists ? 200 : 404).end();
});
