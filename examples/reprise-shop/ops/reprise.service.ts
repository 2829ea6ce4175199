import { Service } from "reprise/service";

/** Housekeeping jobs. */
export default new Service("ops");
