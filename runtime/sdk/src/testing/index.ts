/**
 * `reprise/testing`: helpers for an app's tests run by `reprise test` (which routes a test's endpoint calls
 * through the runtime and gives each test process its own databases; see docs/testing.md).
 *
 * - `setAuthData(data)`: the auth data the next endpoint calls from tests carry (null: unauthenticated).
 * - `publishedMessages(topic)` / `nextMessage(topic)`: what the app published in this test process.
 * - `nextDelivery(topic, subscription?)`: resolves once a subscriber finished handling a message.
 * - `replaceEndpoint(endpoint, fake)`: calls of an endpoint (from tests and from other services) go to a double.
 * - `runCronJob(name)`: runs a cron job now (through the runtime, as its timer would).
 * - `resetDatabase(name)`: empties every table of a database except the migrations bookkeeping.
 */
import { testHooks } from "../internal/test-hooks.js";
import { ensureProviders } from "../config/infra.js";

interface Delivery {
  topic: string;
  subscription: string;
  message: unknown;
  error: unknown;
}

interface TestingState {
  authData: unknown;
  published: { topic: string; message: unknown; id: string }[];
  publishWaiters: { topic: string; resolve: (m: unknown) => void }[];
  deliveryWaiters: { topic: string; subscription: string | null; resolve: (d: Delivery) => void }[];
  /** Test doubles by endpoint function. */
  doubles: Map<object, (params: any) => unknown>;
}

const KEY = Symbol.for("reprise.testing");

/** The per-process state the test setup (cli/src/test/setup.ts) and these helpers share. */
export function testingState(): TestingState {
  const g = globalThis as unknown as Record<symbol, TestingState | undefined>;
  return (g[KEY] ??= { authData: null, published: [], publishWaiters: [], deliveryWaiters: [], doubles: new Map() });
}

function requireTestRun(what: string): void {
  if (!testHooks()) throw new Error(`reprise/testing: ${what} works only in tests run by \`reprise test\``);
}

/** Sets the auth data endpoint calls made by tests carry from now on; `null` makes them unauthenticated. */
export function setAuthData(data: unknown): void {
  requireTestRun("setAuthData");
  testingState().authData = data ?? null;
}

/** Runs `fn` with `data` as the auth data, restoring the previous auth data afterwards. */
export async function withAuthData<T>(data: unknown, fn: () => Promise<T> | T): Promise<T> {
  requireTestRun("withAuthData");
  const s = testingState();
  const prev = s.authData;
  s.authData = data ?? null;
  try {
    return await fn();
  } finally {
    s.authData = prev;
  }
}

/** Messages published to `topic` in this test process so far, oldest first. */
export function publishedMessages<T = unknown>(topic: string | { name: string }): T[] {
  requireTestRun("publishedMessages");
  const name = typeof topic === "string" ? topic : topic.name;
  return testingState().published.filter((p) => p.topic === name).map((p) => p.message as T);
}

function timeout<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`reprise/testing: ${what} did not happen within ${ms} ms`)), ms);
    }),
  ]);
}

/** Resolves with the next message published to `topic` (default timeout 5 s). */
export function nextMessage<T = unknown>(topic: string | { name: string }, opts: { timeoutMs?: number } = {}): Promise<T> {
  requireTestRun("nextMessage");
  const name = typeof topic === "string" ? topic : topic.name;
  return timeout(
    opts.timeoutMs ?? 5000,
    `a message on topic "${name}"`,
    new Promise<T>((resolve) => testingState().publishWaiters.push({ topic: name, resolve: resolve as (m: unknown) => void })),
  );
}

/**
 * Resolves once a subscriber of `topic` (the named `subscription`, or any) has finished handling its next message,
 * with the message and the error it threw, if any (default timeout 5 s). Call it before the action that publishes.
 */
export function nextDelivery<T = unknown>(
  topic: string | { name: string },
  subscription?: string,
  opts: { timeoutMs?: number } = {},
): Promise<{ message: T; error: unknown }> {
  requireTestRun("nextDelivery");
  const name = typeof topic === "string" ? topic : topic.name;
  return timeout(
    opts.timeoutMs ?? 5000,
    `a delivery on topic "${name}"${subscription ? ` to subscription "${subscription}"` : ""}`,
    new Promise<Delivery>((resolve) => testingState().deliveryWaiters.push({ topic: name, subscription: subscription ?? null, resolve })),
  ).then((d) => ({ message: d.message as T, error: d.error }));
}

/**
 * Replaces an endpoint with a test double: calls of it from tests and from other services (`~encore/clients`)
 * get `fake(params)`'s result (a thrown `APIError` reaches the caller as it is) instead of the endpoint's.
 * Returns a function that puts the real endpoint back; `restoreEndpoints()` puts back all of them.
 */
export function replaceEndpoint<P, R>(endpoint: (params: P, ...rest: any[]) => Promise<R>, fake: (params: P) => R | Promise<R>): () => void {
  requireTestRun("replaceEndpoint");
  const doubles = testingState().doubles;
  doubles.set(endpoint, fake as (params: any) => unknown);
  return () => {
    if (doubles.get(endpoint) === fake) doubles.delete(endpoint);
  };
}

/** Puts back every endpoint replaced with `replaceEndpoint`. */
export function restoreEndpoints(): void {
  requireTestRun("restoreEndpoints");
  testingState().doubles.clear();
}

/** Runs the cron job `name` now: its endpoint is called through the runtime, as its timer would. */
export async function runCronJob(name: string): Promise<void> {
  requireTestRun("runCronJob");
  const { runCronJob: run } = await import("../cron/runtime.js");
  await run(name);
}

/** Empties every table of database `name` (the migrations bookkeeping excepted), for suites that want a clean slate. */
export async function resetDatabase(name: string): Promise<void> {
  requireTestRun("resetDatabase");
  await ensureProviders();
  const { SQLDatabase } = await import("../storage/sqldb/index.js");
  const db = SQLDatabase.named(name);
  const rows = await db.rawQueryAll(
    `SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) AS t FROM pg_tables
     WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'reprise_migrations'`,
  );
  if (rows.length) await db.rawExec(`TRUNCATE ${rows.map((r) => r.t as string).join(", ")} RESTART IDENTITY CASCADE`);
}

/** Called by the test setup for every publish and delivery. */
export function observePublished(topic: string, message: unknown, id: string): void {
  const s = testingState();
  s.published.push({ topic, message, id });
  const waiters = s.publishWaiters.filter((w) => w.topic === topic);
  s.publishWaiters = s.publishWaiters.filter((w) => w.topic !== topic);
  for (const w of waiters) w.resolve(message);
}

export function observeDelivered(topic: string, subscription: string, message: unknown, error: unknown): void {
  const s = testingState();
  const match = (w: TestingState["deliveryWaiters"][number]) => w.topic === topic && (w.subscription == null || w.subscription === subscription);
  const waiters = s.deliveryWaiters.filter(match);
  s.deliveryWaiters = s.deliveryWaiters.filter((w) => !match(w));
  for (const w of waiters) w.resolve({ topic, subscription, message, error });
}
