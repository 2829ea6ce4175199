/**
 * `reprise/pubsub`, the mirror of `encore.dev/pubsub`: `new Topic<Msg>(name, cfg)` and
 * `new Subscription(topic, name, { handler, ... })`. Delivery is at-least-once: a handler that throws (or runs
 * past its ack deadline) gets the message again after the retry policy's backoff, and after `maxRetries` it goes
 * to the dead letters. In-process by default (nothing survives a restart); NATS JetStream when configured.
 */
import { native, nativeCode } from "../config/native.js";
import { InfraError } from "../config/errors.js";
import { ensureProviders } from "../config/infra.js";
import { callerFile, state } from "../config/registry.js";
import { startSubscription } from "./runtime.js";
import { unitHandle } from "../internal/tracing.js";
import type { DurationString } from "./duration.js";
import { relative, sep } from "node:path";
import { testHooks } from "../internal/test-hooks.js";

export type { DurationString } from "./duration.js";
export { currentMessage, type MessageContext } from "./runtime.js";

export type DeliveryGuarantee = "at-least-once" | "exactly-once";

/** Marks a message field as a message attribute (type-level only, as in Encore). */
export type Attribute<T extends string | number | boolean> = T & { readonly __repriseAttribute?: never };
export type AttributesOf<T> = keyof { [K in keyof T as T[K] extends Attribute<string | number | boolean> ? K : never]: T[K] } & string;

export interface TopicConfig<Msg> {
  deliveryGuarantee?: DeliveryGuarantee;
  orderingAttribute?: AttributesOf<Msg>;
}

export interface RetryPolicy {
  minBackoff?: DurationString;
  maxBackoff?: DurationString;
  maxRetries?: number;
}

export interface SubscriptionConfig<Msg> {
  handler: (msg: Msg) => Promise<unknown> | unknown;
  maxConcurrency?: number;
  ackDeadline?: DurationString;
  messageRetention?: DurationString;
  retryPolicy?: RetryPolicy;
}

export interface Publisher<Msg> {
  publish(msg: Msg): Promise<string>;
}
export type TopicPerms = Publisher<unknown>;

/** The service whose folder holds `file`, from the app model's service directories. */
function serviceOf(file: string | null): string | null {
  const s = state();
  if (!file || !s.model || !s.appRoot) return null;
  const rel = relative(s.appRoot, file).split(sep).join("/");
  let best: { name: string; len: number } | null = null;
  for (const svc of s.model.app.services) {
    const dir = svc.dir;
    if ((dir === "" || rel === dir || rel.startsWith(dir + "/")) && (!best || dir.length > best.len)) best = { name: svc.name, len: dir.length };
  }
  return best?.name ?? null;
}

const warned = new Set<string>();

export class Topic<Msg extends object> implements Publisher<Msg> {
  readonly name: string;
  readonly config: TopicConfig<Msg>;

  constructor(name: string, config: TopicConfig<Msg> = {}) {
    if (typeof name !== "string" || !name) throw new TypeError("Topic: name must be a non-empty string");
    this.name = name;
    this.config = config;
  }

  /** Stores the message for every subscription of the topic; resolves with its message id. */
  async publish(msg: Msg): Promise<string> {
    this.checkPublisher(callerFile());
    await ensureProviders();
    let body: string;
    try {
      body = JSON.stringify(msg);
    } catch (e) {
      throw new InfraError("RP_PUBSUB", `topic "${this.name}": message is not JSON-serialisable: ${(e as Error).message}`);
    }
    try {
      const id = await native().infraPublish(this.name, body, unitHandle() || null);
      testHooks()?.published?.(this.name, JSON.parse(body), id);
      return id;
    } catch (e) {
      throw new InfraError("RP_PUBSUB", nativeCode(e).message, { cause: e });
    }
  }

  /** A handle that can be passed around (`topic.ref<Publisher>()`). */
  ref<P extends TopicPerms>(): P {
    return this as unknown as P;
  }

  private checkPublisher(file: string | null): void {
    const model = state().model;
    const svc = serviceOf(file);
    if (!model || !svc) return;
    const topic = model.app.topics.find((t) => t.name === this.name);
    if (topic && !topic.publishers.some((p) => p.service === svc) && !warned.has(`${svc}:${this.name}`)) {
      warned.add(`${svc}:${this.name}`);
      console.warn(
        JSON.stringify({ level: "warn", message: "pubsub: publishing from a service the analyser did not see publishing to this topic", topic: this.name, service: svc }),
      );
    }
  }
}

export class Subscription<Msg extends object> {
  readonly topic: Topic<Msg>;
  readonly name: string;

  constructor(topic: Topic<Msg>, name: string, config: SubscriptionConfig<Msg>) {
    if (!(topic instanceof Topic)) throw new TypeError(`Subscription "${name}": the first argument must be a Topic`);
    if (typeof config?.handler !== "function") throw new TypeError(`Subscription "${name}": config.handler must be a function`);
    this.topic = topic;
    this.name = name;
    const s = state();
    const key = `${topic.name}\u0000${name}`;
    const reg = { topic: topic.name, name, handler: config.handler as (m: unknown) => unknown, config: config as unknown as Record<string, unknown>, started: false };
    s.subscriptions.set(key, reg);
    // Declared after start-up (a module imported lazily): subscribe right away.
    if (s.started) void s.started.then(() => startSubscription(reg)).catch((e) => console.error(e));
  }
}

/** Dead letters of a subscription (messages that exhausted their retries), oldest first. */
export async function deadLetters(topic: string, subscription: string): Promise<{ id: string; attempts: number; error: string; message: unknown }[]> {
  await ensureProviders();
  const list = JSON.parse(await native().infraDeadLetters(topic, subscription)) as { id: string; attempts: number; error: string; message: string }[];
  return list.map((d) => ({ ...d, message: JSON.parse(d.message) as unknown }));
}
