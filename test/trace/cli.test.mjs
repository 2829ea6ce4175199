// `reprise traces`: argument handling and the text it prints, then end to end against a real `reprise run` of
// examples/hello (real HTTP on loopback, traces read back from the runtime's /__reprise/traces endpoint).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { parseTracesArgs, formatTrace, formatList } from "../../cli/dist/src/commands/traces.js";
import { readInstance, startApp } from "../http/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const cli = join(root, "cli", "bin", "reprise.mjs");
const helloApp = join(root, "examples", "hello");
const nativeAddon = join(root, "runtime", "sdk", "native", `reprise.${process.platform}-${process.arch}${process.platform === "linux" ? "-gnu" : ""}.node`);

test("arguments: defaults, URL, port, limit, id, and usage errors", () => {
  const d = parseTracesArgs([]);
  assert.deepEqual([d.target.url, d.target.port, d.target.json, d.limit, d.id], [null, null, false, 20, null], "no target given: the app's instance is looked up");
  const a = parseTracesArgs(["--url=http://127.0.0.1:9", "--json", "--limit", "3", "4bf9"]);
  assert.deepEqual([a.target.url, a.target.json, a.limit, a.id], ["http://127.0.0.1:9", true, 3, "4bf9"]);
  assert.equal(parseTracesArgs(["--port", "5100"]).target.port, 5100);
  assert.throws(() => parseTracesArgs(["--limit", "0"]), /positive integer/);
  assert.throws(() => parseTracesArgs(["XYZ"]), /not a trace id/);
  assert.throws(() => parseTracesArgs(["--url", "ftp://x"]), /not an http/);
  assert.throws(() => parseTracesArgs(["--port", "99999"]), /port number/);
  assert.throws(() => parseTracesArgs(["--port", "1", "--url", "http://127.0.0.1:1"]), /not both/);
  assert.throws(() => parseTracesArgs(["--nope"]), /unknown option/);
});

test("a trace prints as a tree with details, events and links", () => {
  const span = (spanId, parentSpanId, kind, name, details, extra = {}) => ({
    spanId, parentSpanId, parentIsRemote: false, kind, name, startOffsetNs: 0, durationNs: 1_500_000, error: null, details, attributes: {}, events: [], links: [], ...extra,
  });
  const text = formatTrace({
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
    startUnixNs: "1764650000000000000",
    startUnixMs: 1764650000000,
    droppedSpans: 0,
    spans: [
      span("a", null, "http", "users.create", { method: "POST", path: "/users", status: 500 }, { error: "HTTP 500" }),
      span("b", "a", "db", "insert", { database: "users", statement: "INSERT 1", rows: 2 }, {
        events: [{ type: "error", offsetNs: 0, code: "internal", message: "boom", stack: "Error: boom\n    at users.ts:3:1" }],
      }),
      span("c", "a", "message", "welcome", { topic: "t", subscription: "welcome", attempt: 1 }, { links: [{ traceId: "11", spanId: "22" }] }),
    ],
  });
  const lines = text.split("\n");
  assert.match(lines[0], /^trace 4bf92f3577b34da6a3ce929d0e0e4736 /);
  assert.match(lines[1], /^users\.create {2}1\.50 ms .*POST \/users → 500 {2}✗ HTTP 500$/);
  assert.match(lines[2], /^├─ insert .*users: INSERT 1 \(2 rows\)$/);
  assert.match(lines[3], /^│ {4}✗ internal: boom$/);
  assert.match(lines[4], /^│ {8}at users\.ts:3:1$/);
  assert.match(lines[5], /^└─ welcome .*welcome handling t \(attempt 1\)$/);
  assert.match(lines[6], /↪ linked to span 22 of trace 11/);
  assert.match(formatList({ traces: [], stats: { finished: 3, sampledOut: 3 } }), /No traces yet \(3 finished, 3 sampled out\)/);
});

function runCli(args, { env = {}, cwd = root } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, "traces", ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

test("an unreachable runtime is a clear error, exit 2", async () => {
  const r = await runCli(["--url", "http://127.0.0.1:9"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no app is running at http:\/\/127\.0\.0\.1:9 \(.*\).*reprise run/);
});

test("against a running app: requests are traced, listed and printed", { skip: existsSync(nativeAddon) ? false : "the runtime's native addon is not built" }, async (t) => {
  const home = mkdtempSync(join(tmpdir(), "reprise-trace-cli-"));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const app = await startApp(t, helloApp, { cwd: root, env: { REPRISE_TRACE_SAMPLE_RATE: "1", HOME: home } });
  const url = app.url.replace("localhost", "127.0.0.1");

  const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const hello = await fetch(`${url}/hello/trace`, { headers: { traceparent } });
  assert.equal(hello.status, 200);
  const traceId = hello.headers.get("x-reprise-trace-id");
  assert.equal(traceId, "4bf92f3577b34da6a3ce929d0e0e4736", "the incoming traceparent's trace continues");
  const missing = await fetch(`${url}/no/such/route`);
  assert.equal(missing.status, 404);

  // The trace endpoint is a tool route: it wants the run's token from the instance file.
  const port = Number(new URL(url).port);
  const toolHeaders = { authorization: `Bearer ${readInstance(helloApp, port).token}` };
  assert.equal((await fetch(`${url}/__reprise/traces`)).status, 401, "no token");

  // The writer stores traces off the request path: poll the endpoint until ours is there.
  let list;
  const deadline = Date.now() + 10_000;
  do {
    list = await (await fetch(`${url}/__reprise/traces`, { headers: toolHeaders })).json();
  } while (!list.traces.some((x) => x.traceId === traceId) && Date.now() < deadline);
  const summary = list.traces.find((x) => x.traceId === traceId);
  assert.ok(summary, "trace listed");
  assert.deepEqual([summary.method, summary.path, summary.route, summary.status, summary.service, summary.endpoint], ["GET", "/hello/trace", "/hello/:name", 200, "greeter", "hello"]);

  // The CLI runs in the app's folder, where it finds the token (other tests may run this app at the same time,
  // so the instance is named by port or URL here; discovery of the one instance is test/http/tool-routes.test.mjs).
  const inApp = { cwd: helloApp };
  const listed = await runCli(["--port", String(port)], inApp);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, /GET \/hello\/trace\s+200/);
  assert.match(listed.stdout, /GET \/no\/such\/route\s+404/);

  const one = await runCli(["--url", url, traceId.slice(0, 8)], inApp);
  assert.equal(one.code, 0, one.stderr);
  assert.match(one.stdout, /^trace 4bf92f3577b34da6a3ce929d0e0e4736/);
  assert.match(one.stdout, /greeter\.hello .*GET \/hello\/trace \(\/hello\/:name\) → 200 .*\(remote parent\)/);

  const json = JSON.parse((await runCli(["--url", url, "--json", traceId], inApp)).stdout);
  assert.equal(json.spans[0].parentSpanId, "00f067aa0ba902b7");
  assert.equal(json.spans[0].parentIsRemote, true);
  assert.equal(json.spans[0].details.route, "/hello/:name", "the HTTP span names the matched route pattern");

  const outside = await runCli(["--url", url], { cwd: home });
  assert.equal(outside.code, 2, "in a folder with no app there is no token");
  assert.match(outside.stderr, /wants this run's token: this folder has no instance file/);

  const binary = await fetch(`${url}/__reprise/traces/${traceId}?format=binary`, { headers: toolHeaders });
  assert.equal(binary.headers.get("content-type"), "application/x-reprise-trace");
  const bytes = new Uint8Array(await binary.arrayBuffer());
  assert.deepEqual([...bytes.subarray(1, 4)], [0x52, 0x50, 0x01], "a framed record: length, then magic RP and version 1");
});
