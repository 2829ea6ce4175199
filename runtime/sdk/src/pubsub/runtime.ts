/**
 * Connects the app's Subscription objects to the Rust pub/sub provider: each gets one native subscription whose
 * deliveries run the handler and report back (ack on success, retry/dead-letter on a throw, handled in Rust).
 * Policies come from the app model when it has the subscription (what the analyser saw), else from the
 * constructor's options with Encore's defaults.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { native } from "../config/native.js";
import { InfraError } from "../config/errors.js";
import { state, type RegisteredSubscription } from "../config/registry.js";
import { parseDurationMs } from "./duration.js";
import { recordError, runInUnit } from "../internal/tracing.js";
import { testHooks } from "../internal/test-hooks.js";

export interface MessageContext {
  id: string;
  topic: string;
  subscription: string;
  deliveryAttempt: number;
  /** The service the subscription belongs to (from the app model; null when the model does not have it). */
  service: string | null;
  /** The decoded message. */
  payload: unknown;
}

// One store for every copy of the SDK in the process (the app bundle's and the host's); `currentRequest()` in the
// root module reads it by the same symbol without importing this module.
const ALS = Symbol.for("reprise.pubsub.als");
const g = globalThis as unknown as Record<symbol, AsyncLocalStorage<MessageContext> | undefined>;
const messages: AsyncLocalStorage<MessageContext> = (g[ALS] ??= new AsyncLocalStorage<MessageContext>());

/** The message being handled, also after an `await` inside the handler; undefined outside a handler. */
export function currentMessage(): MessageContext | undefined {
  return messages.getStore();
}

function options(sub: RegisteredSubscription) {
  const fromModel = state()
    .model?.app.topics.find((t) => t.name === sub.topic)
    ?.subscriptions.find((s) => s.name === sub.name);
  const c = sub.config as {
    ackDeadline?: string;
    messageRetention?: string;
    maxConcurrency?: number;
    retryPolicy?: { minBackoff?: string; maxBackoff?: string; maxRetries?: number };
  };
  const what = `Subscription "${sub.name}"`;
  const maxConcurrency = fromModel ? fromModel.maxConcurrency : (c.maxConcurrency ?? null);
  return {
    topic: sub.topic,
    name: sub.name,
    ackDeadlineMs: fromModel?.ackDeadlineMs ?? parseDurationMs(c.ackDeadline, 30_000, `${what} ackDeadline`),
    messageRetentionMs: fromModel?.messageRetentionMs ?? parseDurationMs(c.messageRetention, 7 * 86_400_000, `${what} messageRetention`),
    // A negative maxConcurrency means unlimited (Encore docs).
    maxConcurrency: maxConcurrency != null && maxConcurrency > 0 ? maxConcurrency : undefined,
    minBackoffMs: fromModel?.retryPolicy.minBackoffMs ?? parseDurationMs(c.retryPolicy?.minBackoff, 10_000, `${what} minBackoff`),
    maxBackoffMs: fromModel?.retryPolicy.maxBackoffMs ?? parseDurationMs(c.retryPolicy?.maxBackoff, 600_000, `${what} maxBackoff`),
    maxRetries: fromModel?.retryPolicy.maxRetries ?? c.retryPolicy?.maxRetries ?? 100,
  };
}

function serviceOf(sub: RegisteredSubscription): string | null {
  return (
    state()
      .model?.app.topics.find((t) => t.name === sub.topic)
      ?.subscriptions.find((s) => s.name === sub.name)?.service ?? null
  );
}

export async function startSubscription(sub: RegisteredSubscription): Promise<void> {
  if (sub.started) return;
  sub.started = true;
  const n = native();
  try {
    await n.infraSubscribe(options(sub), (json) => {
      // trace/traced: the delivery's tracing handle and whether its spans are recorded (runtime/src/tracing.rs).
      const d = JSON.parse(json) as { token: number; id: string; topic: string; subscription: string; attempt: number; message: string; trace?: number; traced?: boolean };
      void runInUnit(d.trace ?? 0, d.traced ?? false, async () => {
        try {
          const payload: unknown = JSON.parse(d.message);
          const ctx: MessageContext = { id: d.id, topic: d.topic, subscription: d.subscription, deliveryAttempt: d.attempt, service: serviceOf(sub), payload };
          await messages.run(ctx, () => sub.handler(payload));
          n.infraDone(d.token, null);
          testHooks()?.delivered?.(d.topic, d.subscription, JSON.parse(d.message), null);
        } catch (e) {
          const err = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          recordError(d.trace ?? 0, e);
          n.infraDone(d.token, err);
          testHooks()?.delivered?.(d.topic, d.subscription, JSON.parse(d.message), e);
        }
      });
    });
  } catch (e) {
    sub.started = false;
    throw new InfraError("RP_PUBSUB", `subscription "${sub.name}" on topic "${sub.topic}": ${(e as Error).message}`, { cause: e });
  }
}

export async function startSubscriptions(): Promise<void> {
  for (const sub of state().subscriptions.values()) await startSubscription(sub);
}
