import { Service } from "reprise/service";
import { requestTiming } from "./middleware";

/** Products, prices and product images. */
export default new Service("catalog", { middlewares: [requestTiming] });
