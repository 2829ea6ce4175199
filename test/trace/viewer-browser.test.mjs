// The trace viewer page in headless Chromium under its real CSP: the request list, the waterfall, the messages it
// posts (open on a row click, reveal on a span click), and no CSP violations. Skips where Chromium is absent.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tracesPage } from "@reprise/webviews";
import { chromiumPath, launch, NO_CHROMIUM, ORIGIN, serve } from "../../webviews/dist/test/browser.js";
import { bundleWebviews } from "../../webviews/scripts/bundle.mjs";

const skip = chromiumPath() ? false : NO_CHROMIUM;
let browser;
let media;

before(async () => {
  if (skip) return;
  media = mkdtempSync(join(tmpdir(), "reprise-traces-view-"));
  await bundleWebviews(media, { minify: false });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (media) rmSync(media, { recursive: true, force: true });
});

const NONCE = "dHJhY2Vub25jZXRyYWNlbm9uY2U=";
const FAKE_API = `
window.__posted = []; window.__state = undefined;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => window.__state, setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
});
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
`;

async function poll(page, fn, what, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const summary = (traceId, method, path, status, durationNs, error = false) => ({
  traceId, kind: "http", name: "x", method, path, route: "", service: "greeter", endpoint: "hello", status,
  startUnixNs: "1764650000000000000", startUnixMs: 1764650000000, durationNs, error, spanCount: 2, encodedBytes: 90,
});
const span = (spanId, parentSpanId, kind, name, startOffsetNs, durationNs, details, extra = {}) => ({
  spanId, parentSpanId, parentIsRemote: false, kind, name, startOffsetNs, durationNs, error: null, details, attributes: {}, events: [], links: [], ...extra,
});

test("trace viewer: lists requests, draws the waterfall, posts open and reveal", { skip }, async () => {
  const page = await browser.newPage();
  const html = tracesPage({ cspSource: ORIGIN, nonce: NONCE, scripts: [`${ORIGIN}/fake-api.js`, `${ORIGIN}/traces.js`] });
  await serve(page, { "/index.html": { text: html }, "/fake-api.js": { text: FAKE_API }, "/traces.js": { file: join(media, "traces.js") } });
  await page.goto(`${ORIGIN}/index.html`);
  const posted = () => page.evaluate(() => window.__posted);
  await poll(page, async () => (await posted()).some((m) => m.type === "ready"), "ready");

  const a = "a".repeat(32);
  const b = "b".repeat(32);
  await page.evaluate((m) => window.postMessage(m, "*"), {
    type: "list", baseUrl: "http://127.0.0.1:4000", error: null, stats: null,
    traces: [summary(a, "GET", "/hello/<script>", 200, 2_400_000), summary(b, "POST", "/orders", 500, 900_000, true)],
  });
  await poll(page, () => page.locator("tr.trace").count().then((n) => n === 2), "two rows");
  const firstRow = await page.locator("tr.trace").first().locator("td").allTextContents();
  assert.deepEqual(firstRow.slice(1), ["GET", "/hello/<script>", "200", "2.40 ms", "2"], "text, not HTML");
  assert.equal(await page.locator("tr.trace.error").count(), 1);

  await page.locator("tr.trace").first().click();
  await poll(page, async () => (await posted()).some((m) => m.type === "open" && m.traceId === a), "open message");

  await page.evaluate((m) => window.postMessage(m, "*"), {
    type: "trace",
    revealable: ["r1"],
    trace: {
      traceId: a, startUnixNs: "1764650000000000000", startUnixMs: 1764650000000, droppedSpans: 0,
      spans: [
        span("r1", null, "http", "greeter.hello", 0, 2_400_000, { method: "GET", path: "/hello/x", status: 200, service: "greeter", endpoint: "hello" }),
        span("q1", "r1", "db", "select", 1_200_000, 600_000, { database: "users", statement: "SELECT 1", rows: 1 }, {
          events: [{ type: "log", offsetNs: 1_300_000, level: "info", message: "queried", fields: {} }],
        }),
      ],
    },
  });
  await poll(page, () => page.locator(".wf-row").count().then((n) => n === 2), "waterfall rows");
  const bars = await page.locator(".wf-bar").evaluateAll((els) => els.map((e) => [e.style.left, e.style.width, e.className]));
  assert.deepEqual(bars, [["0%", "100%", "wf-bar kind-http"], ["50%", "25%", "wf-bar kind-db"]]);
  assert.match(await page.locator("#detail-title").textContent(), /2\.40 ms · 2 spans/);
  assert.equal(await page.locator(".wf-event").textContent(), "· info queried");

  await page.locator(".wf-row.revealable .wf-name").click();
  await poll(page, async () => (await posted()).some((m) => m.type === "reveal" && m.spanId === "r1" && m.traceId === a), "reveal message");
  await page.locator(".wf-row").nth(1).click();
  assert.match(await page.locator("#selected-span").textContent(), /users: SELECT 1 \(1 row\)/);
  assert.ok(!(await posted()).some((m) => m.type === "reveal" && m.spanId === "q1"), "spans without a source location do not post reveal");

  assert.deepEqual(await page.evaluate(() => window.__state), { selected: a });
  assert.deepEqual(await page.evaluate(() => window.__violations), []);
  await page.close();
});
