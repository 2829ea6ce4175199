import { Service } from "reprise/service";

/** Authenticates customers and staff. */
export default new Service("identity");
