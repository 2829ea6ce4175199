import { Service } from "reprise/service";
export default new Service("hello");
