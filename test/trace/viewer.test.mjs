// The trace viewer's pure parts: tree order, waterfall geometry, axis ticks, and the page's CSP (nonce-only script
// and style, no network).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spanRows, formatDuration, spanDetail, spanEndpoint } from "@reprise/protocol";
import { waterfall, ticks, tracesPage, tracesCsp, MIN_BAR, TRACES_TO_HOST_TYPES } from "@reprise/webviews";

const span = (spanId, parentSpanId, startOffsetNs, durationNs, kind = "internal", details = {}) => ({
  spanId, parentSpanId, parentIsRemote: false, kind, name: spanId, startOffsetNs, durationNs, error: null, details, attributes: {}, events: [], links: [],
});

const trace = {
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  startUnixNs: "1764650000000000000",
  startUnixMs: 1764650000000,
  droppedSpans: 0,
  spans: [
    span("root", "remote0000000000", 0, 2_000_000, "http", { method: "POST", path: "/users", status: 201, service: "users", endpoint: "create" }),
    span("db2", "root", 1_500_000, 300_000, "db", { database: "users", statement: "SELECT 1", rows: 1 }),
    span("auth", "root", 10_000, 100_000, "auth", { service: "auth", handler: "auth", authenticated: true }),
    span("call", "root", 200_000, 1_000_000, "call", { service: "email", endpoint: "send", status: 200 }),
    span("inner", "call", 300_000, 3_000),
  ],
};

test("spans are ordered as a tree: parents first, siblings by start, remote parents become roots", () => {
  const rows = spanRows(trace);
  assert.deepEqual(rows.map((r) => [r.span.spanId, r.depth, r.last]), [
    ["root", 0, true], ["auth", 1, false], ["call", 1, false], ["inner", 2, true], ["db2", 1, true],
  ]);
});

test("a cyclic parent chain in corrupt input does not loop", () => {
  const cyclic = { ...trace, spans: [span("a", "b", 0, 1), span("b", "a", 0, 1)] };
  assert.equal(spanRows(cyclic).length, 0);
  const self = { ...trace, spans: [span("a", "a", 0, 1)] };
  assert.equal(spanRows(self).length, 1);
});

test("waterfall bars are fractions of the whole trace with a minimum visible width", () => {
  const { totalNs, rows } = waterfall(trace);
  assert.equal(totalNs, 2_000_000);
  const by = Object.fromEntries(rows.map((r) => [r.span.spanId, r]));
  assert.deepEqual([by.root.left, by.root.width], [0, 1]);
  assert.equal(by.call.left, 0.1);
  assert.equal(by.call.width, 0.5);
  assert.equal(by.inner.width, MIN_BAR, "a 3 µs span stays visible");
  for (const r of rows) assert.ok(r.left + r.width <= 1 + 1e-12);
});

test("axis ticks are round values covering the trace", () => {
  assert.deepEqual(ticks(2_000_000), [0, 500_000, 1_000_000, 1_500_000, 2_000_000]);
  assert.deepEqual(ticks(1000, 4), [0, 500, 1000]);
  assert.deepEqual(ticks(3_000, 5), [0, 1000, 2000, 3000]);
});

test("span text for the list and the waterfall", () => {
  assert.equal(formatDuration(812), "812 ns");
  assert.equal(formatDuration(48_213), "48 µs");
  assert.equal(formatDuration(2_412_907), "2.41 ms");
  assert.equal(spanDetail(trace.spans[1]), "users: SELECT 1 (1 row)");
  assert.equal(spanDetail(trace.spans[0]), "POST /users → 201");
  assert.deepEqual(spanEndpoint(trace.spans[3]), { service: "email", endpoint: "send" });
  assert.equal(spanEndpoint(trace.spans[1]), null);
});

test("the page allows only its nonce's script and style, and no network", () => {
  const r = { cspSource: "vscode-webview://x", nonce: "abc+/=", scripts: ['vscode-webview://x/traces.js?"><script>'] };
  const html = tracesPage(r);
  const csp = tracesCsp(r);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'nonce-abc\+\/='/);
  assert.match(csp, /style-src 'nonce-abc\+\/='/);
  assert.match(csp, /connect-src 'none'/);
  assert.doesNotMatch(csp, /unsafe/);
  assert.equal((html.match(/<script/g) ?? []).length, 1, "the script URI is escaped, not injected");
  assert.ok(html.includes('nonce="abc+/="'));
  assert.deepEqual([...TRACES_TO_HOST_TYPES].sort(), ["open", "ready", "refresh", "reveal"]);
});
