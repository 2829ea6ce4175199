import { Service } from "encore.dev/service";
import { audit } from "./audit";

// Blog posts and their authors.
export default new Service("posts", { middlewares: [audit] });
