import { Service } from "reprise/service";

/** Order placement and order events. */
export default new Service("orders");
