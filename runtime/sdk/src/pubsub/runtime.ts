/**
 * Connects the app's Subscription objects to the Rust pub/sub provider: each gets one native subscription whose
 * deliveries run the handler and report back (ack on success, retry/dead-letter on a throw, handled in Rust).
 * Policies come from the app model when it has the subscription (what the analyser saw), else from the
 * constructor's options with Encore's defaults.
 */
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
}

const CTX = Symbol.for("reprise.pubsub.current");

/** The message being handled (for `currentRequest()`-style metadata); undefined outside a handler. */
export function currentMessage(): MessageContext | undefined {
  return (globalThis as Record<symbol, MessageContext | undefined>)[CTX];
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

export async function startSubscription(sub: RegisteredSubscription): Promise<void> {
  if (sub.started) return;
  sub.started = true;
  const n = native();
  try {
    await n.infraSubscribe(options(sub), (json) => {
      // trace/traced: the delivery's tracing handle and whether its spans are recorded (runtime/src/tracing.rs).
      const d = JSON.parse(json) as { token: number; id: string; topic: string; subscription: string; attempt: number; message: string; trace?: number; traced?: boolean };
      const g = globalThis as Record<symbol, MessageContext | undefined>;
      void runInUnit(d.trace ?? 0, d.traced ?? false, async () => {
        try {
          const prev = g[CTX];
          g[CTX] = { id: d.id, topic: d.topic, subscription: d.subscription, deliveryAttempt: d.attempt };
          let p: unknown;
          try {
            p = sub.handler(JSON.parse(d.message));
          } finally {
            g[CTX] = prev;
          }
          await p;
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
