import { Topic, type Attribute } from "reprise/pubsub";

export interface OrderPlaced {
  orderId: string;
  customerId: Attribute<string>;
  totalCents: number;
  placedAt: Date;
}

/** Published once per successfully placed order. */
export const orderPlaced = new Topic<OrderPlaced>("order-placed", {
  deliveryGuarantee: "at-least-once",
  orderingAttribute: "customerId",
});
