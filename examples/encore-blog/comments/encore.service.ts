import { Service } from "encore.dev/service";

// Comments on posts, moderated asynchronously.
export default new Service("comments");
