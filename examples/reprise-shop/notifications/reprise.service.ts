import { Service } from "reprise/service";

/** Sends e-mails about orders. */
export default new Service("notifications");
