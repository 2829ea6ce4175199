import { Service } from "encore.dev/service";

// Daily digest e-mails.
export default new Service("newsletter");
