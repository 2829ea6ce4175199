import { Subscription } from "reprise/pubsub";
import { secret } from "reprise/config";
import log from "reprise/log";
import { orderPlaced, type OrderPlaced } from "../orders/events";

const smtpPassword = secret("SmtpPassword");

async function sendConfirmation(event: OrderPlaced): Promise<void> {
  // A real app would talk to an SMTP server here.
  log.info("order confirmation", { order: event.orderId, customer: event.customerId, authenticated: smtpPassword() !== "" });
}

const _ = new Subscription(orderPlaced, "send-confirmation", {
  handler: sendConfirmation,
  ackDeadline: "30s",
  maxConcurrency: 10,
  retryPolicy: { minBackoff: "5s", maxBackoff: "5m", maxRetries: 20 },
});
