import { SQLDatabase } from "reprise/storage/sqldb";
import { Bucket } from "reprise/storage/objects";

export const catalogDB = new SQLDatabase("catalog", { migrations: "./migrations" });

/** Product photos, served publicly through the CDN URL. */
export const productImages = new Bucket("product-images", { public: true, versioned: false });
