import { Service } from "reprise/service";

/** Authenticates requests from a bearer token. */
export default new Service("auth");
