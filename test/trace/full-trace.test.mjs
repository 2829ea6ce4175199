// The full trace of a running app (issue #8): a real `reprise run` of test/trace/fixtures/traced-app on loopback,
// traces read back from the runtime's /__reprise/traces endpoint. One request runs the auth handler, a service call
// with a SQL query (PGlite), a bucket upload, a publish whose subscriber runs SQL, and log lines; the test checks
// the span tree, parent links and the pub/sub hop in the same trace. Then: an error's stack is in the trace and not
// in the response; a cron run is a root span of its own; a sampled-out request is a stub kept only for an error;
// its publishes carry its trace id unsampled, so a delivery is recorded in detail only if the publisher was.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startApp } from "../http/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const app = join(root, "test", "trace", "fixtures", "traced-app");
const nativeAddon = join(root, "runtime", "sdk", "native", `reprise.${process.platform}-${process.arch}${process.platform === "linux" ? "-gnu" : ""}.node`);
const skip = existsSync(nativeAddon) ? false : "the runtime's native addon is not built";

/** The run's token for the trace and admin routes (set once the app started). */
let toolHeaders = {};

/** A runtime config keeping the app's database and bucket files in a temp dir of this test. */
function tempConfig(t) {
  const dir = mkdtempSync(join(tmpdir(), "reprise-full-trace-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "reprise.config.json");
  writeFileSync(file, JSON.stringify({ sql: { dataDir: join(dir, "db") }, buckets: { root: join(dir, "buckets") } }));
  return file;
}

/** Polls the trace endpoint until `ready(trace)` holds (spans of a later delivery arrive after the response). */
async function traceWhen(url, id, ready, what) {
  const deadline = Date.now() + 20_000;
  let last = null;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/__reprise/traces/${id}`, { headers: toolHeaders });
    if (res.status === 200) {
      last = await res.json();
      if (ready(last)) return last;
    }
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`trace ${id} never had ${what}: ${JSON.stringify(last, null, 1)}`);
}

const one = (spans, pred, what) => {
  const found = spans.filter(pred);
  assert.equal(found.length, 1, `exactly one ${what} span in ${JSON.stringify(spans.map((s) => [s.kind, s.name]))}`);
  return found[0];
};

// Everything is sampled except front.quiet (rate 0), the sampled-out case.
const tracingConfig = JSON.stringify({ sampleRate: 1, endpointSampleRates: [{ service: "front", endpoint: "quiet", rate: 0 }] });

test("the full trace of a running app", { skip }, async (t) => {
  const started = await startApp(t, app, { env: { REPRISE_CONFIG: tempConfig(t), REPRISE_TRACING_CONFIG: tracingConfig } });
  const { url } = started;
  toolHeaders = started.toolHeaders;
  await t.test("one request records auth, the service call, SQL, bucket, publish and the delivery in one trace", () => fullRequest(url));
  await t.test("a thrown error: the stack is in the trace, not in the response", () => thrownError(url));
  await t.test("a cron run is a trace of its own", () => cronRun(url));
  await t.test("sampled out: no spans are recorded, but a failing request is still kept with its error", () => sampledOut(url));
  await t.test("a publish from a sampled-out request carries its trace id, flag 00; the delivery keeps the decision", () => sampledOutPublish(url));
});

async function fullRequest(url) {
  const res = await fetch(`${url}/work`, { method: "POST", headers: { authorization: "Bearer fixture", "content-type": "application/json" }, body: JSON.stringify({ name: "alpha" }) });
  assert.equal(res.status, 200, await res.clone().text());
  const { itemId } = await res.json();
  const id = res.headers.get("x-reprise-trace-id");
  assert.match(id ?? "", /^[0-9a-f]{32}$/);

  const trace = await traceWhen(url, id, (tr) => tr.spans.some((s) => s.kind === "message") && tr.spans.some((s) => s.kind === "db" && s.details.statement.startsWith("UPDATE")), "the delivery's spans");
  const spans = trace.spans;
  const http = one(spans, (s) => s.kind === "http", "http");
  assert.equal(http.name, "front.work");
  assert.equal(http.parentSpanId, null);
  assert.deepEqual([http.details.method, http.details.path, http.details.status], ["POST", "/work", 200]);
  assert.ok(http.events.some((e) => e.type === "log" && e.message === "working" && e.fields.name === "alpha"), "the handler's log line is an event on its span");

  const auth = one(spans, (s) => s.kind === "auth", "auth");
  assert.equal(auth.parentSpanId, http.spanId);
  assert.equal(auth.details.authenticated, true);

  const call = one(spans, (s) => s.kind === "call", "service call");
  assert.equal(call.parentSpanId, http.spanId);
  assert.deepEqual([call.name, call.details.service, call.details.endpoint, call.details.status], ["store.save", "store", "save", 200]);

  const insert = one(spans, (s) => s.kind === "db" && s.details.statement.startsWith("INSERT"), "INSERT");
  assert.equal(insert.parentSpanId, call.spanId, "the callee's query is under the call span");
  assert.equal(insert.details.database, "store");
  assert.equal(insert.details.rows, 1);
  assert.ok(insert.startOffsetNs >= call.startOffsetNs && insert.startOffsetNs + insert.durationNs <= call.startOffsetNs + call.durationNs + 1_000_000, "the query lies within the call");

  const bucket = one(spans, (s) => s.kind === "bucket", "bucket");
  assert.equal(bucket.parentSpanId, http.spanId);
  assert.deepEqual([bucket.details.bucket, bucket.details.operation, bucket.details.object], ["artifacts", "upload", `items/${itemId}.txt`]);

  const publish = one(spans, (s) => s.kind === "publish", "publish");
  assert.equal(publish.parentSpanId, http.spanId);
  assert.equal(publish.details.topic, "work-done");
  assert.notEqual(publish.details.messageId, "");

  // The pub/sub hop: the delivery continues the trace under the publish span, and links to it.
  const message = one(spans, (s) => s.kind === "message", "message");
  assert.equal(message.parentSpanId, publish.spanId);
  assert.equal(message.parentIsRemote, true);
  assert.deepEqual(message.links, [{ traceId: id, spanId: publish.spanId }]);
  assert.deepEqual([message.details.topic, message.details.subscription, message.details.messageId, message.details.attempt], ["work-done", "mark-done", publish.details.messageId, 1]);
  const update = one(spans, (s) => s.kind === "db" && s.details.statement.startsWith("UPDATE"), "UPDATE");
  assert.equal(update.parentSpanId, message.spanId);
  assert.ok(message.events.some((e) => e.type === "log" && e.message === "marked done" && e.fields.itemId === itemId));
  assert.ok(spans.every((s) => s.error === null), "nothing failed");
}

async function thrownError(url) {
  const res = await fetch(`${url}/boom`);
  assert.equal(res.status, 500);
  const body = await res.text();
  assert.doesNotMatch(body, /kaboom|\n\s+at /, "no message or stack leaks into the response");
  const id = res.headers.get("x-reprise-trace-id");
  const trace = await traceWhen(url, id, (tr) => tr.spans.length > 0, "spans");
  const http = trace.spans[0];
  assert.equal(http.error, "HTTP 500");
  const error = http.events.find((e) => e.type === "error");
  assert.ok(error, "an error event");
  assert.equal(error.code, "internal");
  assert.equal(error.message, "kaboom from the fixture");
  assert.match(error.stack, /Error: kaboom from the fixture\n\s+at /);
}

/** A cron run, triggered through the runtime's admin route: a CronRun root, the endpoint call and its query below. */
async function cronRun(url) {
  const run = await fetch(`${url}/__reprise/admin/cron/count-items/run`, { method: "POST", headers: toolHeaders });
  assert.equal(run.status, 200, await run.clone().text());
  const deadline = Date.now() + 20_000;
  let cron;
  while (!cron && Date.now() < deadline) {
    const list = await (await fetch(`${url}/__reprise/traces?limit=50`, { headers: toolHeaders })).json();
    cron = list.traces.find((s) => s.kind === "cron");
    if (!cron) await new Promise((r) => setImmediate(r));
  }
  assert.ok(cron, "a cron trace is listed");
  const trace = await traceWhen(url, cron.traceId, (tr) => tr.spans.some((s) => s.kind === "db"), "the cron endpoint's query");
  const root = trace.spans[0];
  assert.equal(root.kind, "cron");
  assert.equal(root.parentSpanId, null);
  assert.deepEqual([root.details.job, root.details.endpoint], ["count-items", "store.count"]);
  const call = one(trace.spans, (s) => s.kind === "call", "call");
  assert.equal(call.parentSpanId, root.spanId);
  assert.equal(call.name, "store.count");
  assert.equal(one(trace.spans, (s) => s.kind === "db", "db").parentSpanId, call.spanId);
}

async function sampledOut(url) {
  const before = (await (await fetch(`${url}/__reprise/traces`, { headers: toolHeaders })).json()).stats;
  const ok = await fetch(`${url}/quiet`);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("x-reprise-trace-id"), null);
  const failed = await fetch(`${url}/quiet?fail=true`);
  assert.equal(failed.status, 500);
  const id = failed.headers.get("x-reprise-trace-id");
  assert.match(id ?? "", /^[0-9a-f]{32}$/, "an error is kept at any rate");
  const trace = await traceWhen(url, id, (tr) => tr.spans.length > 0, "spans");
  assert.equal(trace.spans.length, 1, "a sampled-out request is a one-span stub");
  assert.equal(trace.spans[0].name, "front.quiet");
  assert.equal(trace.spans[0].events.filter((e) => e.type === "log").length, 0, "its log line was not recorded");
  const error = trace.spans[0].events.find((e) => e.type === "error");
  assert.match(error?.stack ?? "", /Error: quiet failure\n\s+at /);
  const { stats } = await (await fetch(`${url}/__reprise/traces`, { headers: toolHeaders })).json();
  assert.equal(stats.sampledOut, before.sampledOut + 1, JSON.stringify(stats));
  assert.equal(stats.keptErrors, before.keptErrors + 1);
}

/** Waits until the tracer has counted `n` more sampled-out units than `before`. */
async function sampledOutReaches(url, n, what) {
  const deadline = Date.now() + 20_000;
  let stats;
  while (Date.now() < deadline) {
    stats = (await (await fetch(`${url}/__reprise/traces`, { headers: toolHeaders })).json()).stats;
    if (stats.sampledOut >= n) return stats;
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`${what}: sampledOut never reached ${n}: ${JSON.stringify(stats)}`);
}

async function sampledOutPublish(url) {
  const list = async () => (await (await fetch(`${url}/__reprise/traces`, { headers: toolHeaders })).json()).stats;
  // 1. An incoming unsampled traceparent: the request is not recorded, its message carries the trace id with
  //    flag 00, and the delivery (which succeeds) is not recorded either.
  const quietId = "5bf92f3577b34da6a3ce929d0e0e4736";
  const before = await list();
  const ok = await fetch(`${url}/quiet?publish=fine`, { headers: { traceparent: `00-${quietId}-00f067aa0ba902b7-00` } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("x-reprise-trace-id"), null);
  await sampledOutReaches(url, before.sampledOut + 2, "the request and its delivery");
  assert.equal((await fetch(`${url}/__reprise/traces/${quietId}`, { headers: toolHeaders })).status, 404, "neither the request nor the delivery was kept");

  // 2. Same, but the delivery fails: it is kept (errors always are) under the publisher's trace id, as a stub with
  //    a remote parent and no link (the unsampled publisher recorded no span), and nothing recorded in detail.
  const failId = "6bf92f3577b34da6a3ce929d0e0e4736";
  const res = await fetch(`${url}/quiet?publish=fail-delivery`, { headers: { traceparent: `00-${failId}-00f067aa0ba902b7-00` } });
  assert.equal(res.status, 200);
  const trace = await traceWhen(url, failId, (tr) => tr.spans.some((s) => s.kind === "message"), "the failed delivery");
  assert.ok(trace.spans.every((s) => s.kind === "message"), `only delivery stubs: ${JSON.stringify(trace.spans.map((s) => s.kind))}`);
  const message = trace.spans[0];
  assert.equal(message.parentIsRemote, true);
  assert.match(message.parentSpanId ?? "", /^[0-9a-f]{16}$/);
  assert.notEqual(message.parentSpanId, "00f067aa0ba902b7", "the parent names the (unrecorded) publish, not the request's caller");
  assert.deepEqual(message.links, []);
  assert.equal(message.details.subscription, "mark-done");
  assert.match(message.error ?? "", /delivery failure/);

  // 3. No incoming header: the request's own trace id travels. The request fails too, so both are kept and
  //    meet in one trace.
  const both = await fetch(`${url}/quiet?fail=true&publish=fail-delivery`);
  assert.equal(both.status, 500);
  const id = both.headers.get("x-reprise-trace-id");
  assert.match(id ?? "", /^[0-9a-f]{32}$/);
  const merged = await traceWhen(url, id, (tr) => tr.spans.some((s) => s.kind === "message") && tr.spans.some((s) => s.kind === "http"), "the request stub and the failed delivery");
  const http = one(merged.spans, (s) => s.kind === "http", "http");
  assert.equal(http.error, "HTTP 500");
  const delivery = merged.spans.find((s) => s.kind === "message");
  assert.equal(delivery.parentIsRemote, true);
  assert.match(delivery.error ?? "", /delivery failure/);
}
