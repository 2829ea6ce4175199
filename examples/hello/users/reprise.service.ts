import { Service } from "reprise/service";

/** Stores users in memory (the hello example has no database). */
export default new Service("users");
