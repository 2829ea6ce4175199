// Topic / Subscription on the default in-process provider: delivery to every subscription, retries with
// backoff, dead letters after maxRetries, message ids, handler context.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startInfra, stopInfra } from "reprise/config";
import { Topic, Subscription, deadLetters, currentMessage } from "reprise/pubsub";
import { currentRequest } from "reprise";
import { waitFor } from "./fixtures/services.mjs";
import { model } from "./fixtures/sql-suite.mjs";

const root = mkdtempSync(join(tmpdir(), "reprise-ps-"));
after(async () => {
  await stopInfra();
  rmSync(root, { recursive: true, force: true });
});

const orders = new Topic("orders", { deliveryGuarantee: "at-least-once" });
const seenA = [];
const seenB = [];
const attempts = new Map();
const metas = [];
new Subscription(orders, "audit", { handler: (m) => void seenA.push(m.id) });
new Subscription(orders, "flaky", {
  retryPolicy: { minBackoff: "5ms", maxBackoff: "20ms", maxRetries: 3 },
  handler: async (m) => {
    const n = (attempts.get(m.id) ?? 0) + 1;
    attempts.set(m.id, n);
    assert.equal(currentMessage()?.deliveryAttempt, n);
    await new Promise((r) => setImmediate(r));
    // After an await, currentRequest() still describes the delivery (encore.dev's PubSubMessageMeta).
    const req = currentRequest();
    if (m.id === 4) metas.push({ type: req?.type, topic: req?.topic, subscription: req?.subscription, attempt: req?.deliveryAttempt, payload: req?.parsedPayload, id: typeof req?.messageId, same: currentMessage()?.deliveryAttempt === n });
    if (m.id % 2 === 0 && n < 3) throw new Error(`transient ${m.id}`);
    seenB.push(m.id);
  },
});
const poison = new Topic("poison", {});
let poisonCalls = 0;
new Subscription(poison, "always-fails", {
  retryPolicy: { minBackoff: "1ms", maxBackoff: "5ms", maxRetries: 2 },
  handler: () => {
    poisonCalls++;
    throw new Error("cannot handle this");
  },
});

test("in-process: every subscription gets every message, failures are retried", { timeout: 30_000 }, async () => {
  const events = [];
  const m = model({ topics: [{ name: "orders", publishers: [], subscriptions: [] }, { name: "poison", publishers: [], subscriptions: [] }] });
  const infra = await startInfra({ appRoot: root, model: m, log: (level, message, fields) => events.push({ level, message, fields }) });
  assert.equal(infra.config.pubsub.provider, "memory");
  const ids = new Set();
  for (let i = 0; i < 10; i++) ids.add(await orders.publish({ id: i }));
  assert.equal(ids.size, 10, "publish returns a unique message id");
  await waitFor("all messages handled by both subscriptions", () => seenA.length === 10 && seenB.length === 10);
  assert.deepEqual([...seenA].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual([...seenB].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  assert.equal(attempts.get(4), 3, "even ids failed twice and succeeded on the third attempt");
  assert.equal(attempts.get(5), 1);
  assert.deepEqual(metas, [1, 2, 3].map((attempt) => ({ type: "pubsub-message", topic: "orders", subscription: "flaky", attempt, payload: { id: 4 }, id: "string", same: true })));
  assert.equal(currentRequest(), undefined, "outside a handler");
  await waitFor("retries logged", () => events.some((e) => e.message.includes("retrying") && e.fields.subscription === "flaky"));
});

test("in-process: a message that keeps failing is dead-lettered after maxRetries", { timeout: 30_000 }, async () => {
  const id = await poison.publish({ bad: true });
  const dead = await waitFor("dead letter", async () => (await deadLetters("poison", "always-fails")).at(0));
  assert.equal(dead.id, id);
  assert.equal(dead.attempts, 3, "1 attempt + 2 retries");
  assert.match(dead.error, /cannot handle this/);
  assert.deepEqual(dead.message, { bad: true });
  assert.equal(poisonCalls, 3);
});

test("publish rejects values that are not JSON", async () => {
  const cyclic = {};
  cyclic.self = cyclic;
  await assert.rejects(orders.publish(cyclic), (e) => e.code === "RP_PUBSUB");
});
