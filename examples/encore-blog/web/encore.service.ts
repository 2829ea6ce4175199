import { Service } from "encore.dev/service";

// The blog's front end: static files.
export default new Service("web");
