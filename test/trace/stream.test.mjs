// A WebSocket stream's trace: a real `reprise run` of test/http/fixtures/basic at sampling 100%, a real WebSocket
// client (a child Node process: Node 20 has WebSocket behind a flag) talking to its api.streamInOut endpoint. The
// stream is one span for its lifetime, a child of the upgrade request's HTTP span in the same trace, with the first
// 16 messages of each direction as events and the counts of all of them as attributes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { fixture, startApp } from "../http/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const nativeAddon = join(root, "runtime", "sdk", "native", `reprise.${process.platform}-${process.arch}${process.platform === "linux" ? "-gnu" : ""}.node`);
const skip = existsSync(nativeAddon) ? false : "the runtime's native addon is not built";

/** Sends `n` chat messages, waits for their `n` echoes, then says "bye" (the handler returns and the server closes). */
async function chat(t, url, n) {
  const client = `
    const n = Number(process.argv[2]);
    const ws = new WebSocket(process.argv[1]);
    const got = [];
    ws.onopen = () => { for (let i = 0; i < n; i++) ws.send(JSON.stringify({ text: "m" + i })); };
    ws.onmessage = (m) => { got.push(JSON.parse(m.data)); if (got.length === n) ws.send(JSON.stringify({ text: "bye" })); };
    ws.onclose = (e) => { console.log(JSON.stringify({ got: got.length, code: e.code })); process.exit(0); };
    ws.onerror = () => {};
    setTimeout(() => { console.log(JSON.stringify({ timeout: true, got: got.length })); process.exit(1); }, 15000);
  `;
  const child = spawn(process.execPath, ["--experimental-websocket", "-e", client, url, String(n)], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await new Promise((r) => child.once("exit", r));
  return JSON.parse(out);
}

test("a WebSocket stream is a span with its messages as bounded events", { skip }, async (t) => {
  const app = await startApp(t, fixture("basic"), { env: { REPRISE_TRACE_SAMPLE_RATE: "1" } });
  const { toolHeaders } = app;
  const N = 20;
  const session = await chat(t, app.url.replace("http:", "ws:") + "/ws/chat", N);
  assert.equal(session.got, N, JSON.stringify(session));

  // The stream's record is written when the socket closes: poll the list for it.
  const deadline = Date.now() + 20_000;
  let summary;
  while (!summary && Date.now() < deadline) {
    const list = await (await fetch(`${app.url}/__reprise/traces?limit=50`, { headers: toolHeaders })).json();
    summary = list.traces.find((s) => s.name === "web.chat stream");
    if (!summary) await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(summary, "the stream's span is listed");
  const trace = await (await fetch(`${app.url}/__reprise/traces/${summary.traceId}`, { headers: toolHeaders })).json();
  const upgrade = trace.spans.find((s) => s.kind === "http" && s.details.status === 101);
  const stream = trace.spans.find((s) => s.name === "web.chat stream");
  assert.ok(upgrade, `the upgrade request is in the same trace: ${JSON.stringify(trace.spans.map((s) => [s.name, s.details.status]))}`);
  assert.equal(stream.parentSpanId, upgrade.spanId, "the stream is a child of its upgrade request");
  assert.deepEqual([stream.details.route, stream.details.service, stream.details.endpoint], ["/ws/chat", "web", "chat"]);
  assert.ok(stream.durationNs >= upgrade.durationNs, "the stream outlives the upgrade");

  const inbound = stream.events.filter((e) => e.message === "message in");
  const outbound = stream.events.filter((e) => e.message === "message out");
  assert.equal(inbound.length, 16, "the first 16 messages in, one event each");
  assert.equal(outbound.length, 16, "the first 16 messages out");
  assert.deepEqual(inbound.map((e) => e.fields.seq), Array.from({ length: 16 }, (_, i) => i + 1));
  assert.equal(inbound[0].fields.bytes, JSON.stringify({ text: "m0" }).length);
  assert.equal(outbound[0].fields.bytes, JSON.stringify({ echo: "M0" }).length);
  assert.equal(stream.attributes["stream.messages_in"], N + 1, "every message in is counted (the 20 and the bye)");
  assert.equal(stream.attributes["stream.messages_out"], N);
  assert.ok(stream.attributes["stream.bytes_in"] > 0 && stream.attributes["stream.bytes_out"] > 0);
});
