import { Service } from "encore.dev/service";

// Images embedded in posts.
export default new Service("media");
