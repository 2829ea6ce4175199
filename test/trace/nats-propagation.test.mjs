// Trace propagation over NATS JetStream (nats-server started here on loopback, as test/infra/pubsub-nats.test.mjs
// does): a real `reprise run` of test/trace/fixtures/traced-app with `pubsub.provider: "nats"`. The publish span's
// `traceparent` travels in the JetStream message's headers; the delivery continues the publisher's trace under the
// publish span and links to it. An unsampled publisher's message carries its trace id with flag 00.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startApp } from "../http/helpers.mjs";
import { startNats } from "../infra/fixtures/services.mjs";
import { notInstalled } from "../../scripts/test-deps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const app = join(root, "test", "trace", "fixtures", "traced-app");
const nativeAddon = join(root, "runtime", "sdk", "native", `reprise.${process.platform}-${process.arch}${process.platform === "linux" ? "-gnu" : ""}.node`);
const hasNats = spawnSync("nats-server", ["--version"]).status === 0;
const skip = !existsSync(nativeAddon) ? "the runtime's native addon is not built" : !hasNats ? notInstalled("nats-server") : false;

/** The run's token for the trace routes (set once the app started). */
let toolHeaders = {};

async function traceWhen(url, id, ready, what) {
  const deadline = Date.now() + 30_000;
  let last = null;
  while (Date.now() < deadline) {
    const res = await fetch(`${url}/__reprise/traces/${id}`, { headers: toolHeaders });
    if (res.status === 200) {
      last = await res.json();
      if (ready(last)) return last;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.fail(`trace ${id} never had ${what}: ${JSON.stringify(last, null, 1)}`);
}

test("NATS: publish → JetStream → delivery keeps the trace id and links to the publish span", { skip, timeout: 120_000 }, async (t) => {
  const nats = await startNats();
  const dir = mkdtempSync(join(tmpdir(), "reprise-trace-nats-"));
  t.after(async () => {
    await nats.stop();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = join(dir, "reprise.config.json");
  writeFileSync(config, JSON.stringify({ sql: { dataDir: join(dir, "db") }, buckets: { root: join(dir, "buckets") }, pubsub: { provider: "nats", url: nats.url, streamPrefix: "tracetest" } }));
  const tracing = JSON.stringify({ sampleRate: 1, endpointSampleRates: [{ service: "front", endpoint: "quiet", rate: 0 }] });
  const started = await startApp(t, app, { env: { REPRISE_CONFIG: config, REPRISE_TRACING_CONFIG: tracing } });
  const { url } = started;
  toolHeaders = started.toolHeaders;

  const res = await fetch(`${url}/work`, { method: "POST", headers: { authorization: "Bearer fixture", "content-type": "application/json" }, body: JSON.stringify({ name: "over-nats" }) });
  assert.equal(res.status, 200, await res.clone().text());
  const id = res.headers.get("x-reprise-trace-id");
  assert.match(id ?? "", /^[0-9a-f]{32}$/);
  const trace = await traceWhen(url, id, (tr) => tr.spans.some((s) => s.kind === "message") && tr.spans.some((s) => s.kind === "db" && s.details.statement.startsWith("UPDATE")), "the NATS delivery's spans");
  const publish = trace.spans.find((s) => s.kind === "publish");
  const message = trace.spans.find((s) => s.kind === "message");
  assert.ok(publish && message, JSON.stringify(trace.spans.map((s) => s.kind)));
  assert.equal(trace.traceId, id, "the delivery is in the publisher's trace");
  assert.equal(message.parentSpanId, publish.spanId, "the delivery's parent is the publish span");
  assert.equal(message.parentIsRemote, true);
  assert.deepEqual(message.links, [{ traceId: id, spanId: publish.spanId }], "and it links to the publish span");
  assert.equal(message.details.messageId, publish.details.messageId, "the same message, by its id");
  const update = trace.spans.find((s) => s.kind === "db" && s.details.statement.startsWith("UPDATE"));
  assert.equal(update.parentSpanId, message.spanId, "the subscriber's query is recorded under the delivery");

  // Unsampled publisher: the trace id still travels (flag 00), so a failed delivery is kept under it.
  const quietId = "7bf92f3577b34da6a3ce929d0e0e4736";
  const quiet = await fetch(`${url}/quiet?publish=fail-delivery`, { headers: { traceparent: `00-${quietId}-00f067aa0ba902b7-00` } });
  assert.equal(quiet.status, 200);
  const stub = await traceWhen(url, quietId, (tr) => tr.spans.some((s) => s.kind === "message"), "the failed delivery over NATS");
  assert.ok(stub.spans.every((s) => s.kind === "message"), "only the delivery, recorded as a stub");
  assert.equal(stub.spans[0].parentIsRemote, true);
  assert.deepEqual(stub.spans[0].links, []);
  assert.match(stub.spans[0].error ?? "", /delivery failure/);
});
