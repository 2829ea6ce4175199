import { Service } from "reprise/service";

/** Greets people, using the users service to personalise greetings. */
export default new Service("greeter");
