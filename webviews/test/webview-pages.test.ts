/**
 * The two webview pages, loaded as VS Code loads them (the real HTML with its CSP and nonce, the bundled
 * scripts, the pinned mermaid) in headless Chromium, with a stand-in for acquireVsCodeApi that records what the
 * page posts. Checks: rendering under the strict CSP with no violation, node → graph id mapping on click, live
 * update by swapping SVGs, state persistence, and the API explorer's form round trip.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { toGraph } from "@reprise/protocol";
import { apiExplorerPage, diagramPage } from "../src/html.js";
import { draftRequest, publishDraft } from "../src/request-template.js";
import type { HostToDiagram, HostToExplorer } from "../src/messages.js";
import { chromiumPath, launch, NO_CHROMIUM, ORIGIN, serve } from "./browser.js";

const MODELS = join(new URL(".", import.meta.url).pathname, "../../../protocol/dist/test/models.js");
const skip = chromiumPath() ? false : NO_CHROMIUM;
let browser: Browser;
let media: string;

before(async () => {
  if (skip) return;
  media = mkdtempSync(join(tmpdir(), "reprise-webviews-"));
  // @ts-expect-error: plain .mjs build script without types
  const { bundleWebviews } = await import("../../scripts/bundle.mjs");
  await bundleWebviews(media, { minify: false });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  if (media) rmSync(media, { recursive: true, force: true });
});

const NONCE = "dGVzdG5vbmNldGVzdG5vbmNl";
// Stand-in for VS Code's webview API, installed with the page's nonce (it is the only other script allowed).
const FAKE_API = `
window.__posted = []; window.__state = window.__initialState;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => window.__state, setState: (s) => { window.__state = JSON.parse(JSON.stringify(s)); },
});
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
`;

async function openPage(kind: "diagram" | "api-explorer", initialState: unknown = undefined): Promise<Page> {
  const page = await browser.newPage();
  const res = { cspSource: ORIGIN, nonce: NONCE, style: `${ORIGIN}/${kind}.css`, title: kind,
    scripts: [`${ORIGIN}/fake-api.js`, ...(kind === "diagram" ? [`${ORIGIN}/mermaid.min.js`] : []), `${ORIGIN}/${kind}.js`] };
  const html = kind === "diagram" ? diagramPage(res) : apiExplorerPage(res);
  await serve(page, {
    "/index.html": { text: html },
    "/fake-api.js": { text: `window.__initialState = ${JSON.stringify(initialState ?? null)} ?? undefined;${FAKE_API}` },
    "/mermaid.min.js": { file: join(media, "mermaid.min.js") },
    [`/${kind}.js`]: { file: join(media, `${kind}.js`) },
    [`/${kind}.css`]: { file: join(media, `${kind}.css`) },
  });
  await page.goto(`${ORIGIN}/index.html`);
  return page;
}

const posted = (page: Page) => page.evaluate(() => (window as any).__posted as { type: string; [k: string]: unknown }[]);
// Polls from Node with a deadline (a string predicate in the page would need 'unsafe-eval', which the CSP forbids).
async function waitPosted(page: Page, pred: (m: any) => boolean, timeoutMs = 20000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = (await posted(page)).find(pred);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no matching message posted within ${timeoutMs} ms; got ${JSON.stringify(await posted(page)).slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const send = (page: Page, msg: HostToDiagram | HostToExplorer) => page.evaluate((m) => window.postMessage(m, "*"), msg);

test("diagram: renders under the strict CSP, maps clicks to graph nodes, swaps in live updates", { skip }, async () => {
  const { fullApp, service } = (await import(MODELS)) as any;
  const page = await openPage("diagram");
  await waitPosted(page, ((m: any) => m.type === "ready"));
  const graph = toGraph(fullApp);
  await send(page, { type: "graph", rootUri: "file:///app", generation: 1, graph, problems: 2, appName: "demo" });
  const rendered = await waitPosted(page, ((m: any) => m.type === "rendered" && m.generation === 1));
  assert.deepEqual([...rendered.nodeIds].sort(), graph.nodes.map((n) => n.id).sort());
  assert.match((await page.textContent("#status")) ?? "", /demo · 4 services · 2 problems/);

  await page.locator('g.reprise-node[data-node-id="service:email"]').click();
  const reveal = await waitPosted(page, ((m: any) => m.type === "reveal"));
  assert.deepEqual(reveal, { type: "reveal", rootUri: "file:///app", nodeId: "service:email" });

  // Live update: a new service appears; the old SVG is replaced, not stacked, and stale generations are ignored.
  const before = await page.evaluate(() => document.querySelector("#canvas svg")?.id);
  const next = { ...fullApp, app: { ...fullApp.app, services: [...fullApp.app.services, service("billing")] } };
  await send(page, { type: "graph", rootUri: "file:///app", generation: 3, graph: toGraph(next), problems: 0, appName: "demo" });
  await send(page, { type: "graph", rootUri: "file:///app", generation: 2, graph: toGraph(fullApp), problems: 0, appName: "demo" });
  const r3 = await waitPosted(page, ((m: any) => m.type === "rendered" && m.generation === 3));
  assert.ok(r3.nodeIds.includes("service:billing"));
  assert.equal(await page.locator("#canvas svg").count(), 1);
  assert.notEqual(await page.evaluate(() => document.querySelector("#canvas svg")?.id), before);
  assert.ok(!(await posted(page)).some((m) => m.type === "rendered" && m.generation === 2), "stale generation was not drawn");

  await page.click("#zoom-in");
  const state = await page.evaluate(() => (window as any).__state);
  assert.equal(state.rootUri, "file:///app");
  assert.equal(state.manual, true);
  // Fit: the whole diagram inside the panel.
  await page.click("#zoom-fit");
  const fits = await page.evaluate(() => {
    const svg = document.querySelector("#canvas svg")!.getBoundingClientRect();
    const vp = document.getElementById("viewport")!.getBoundingClientRect();
    return svg.left >= vp.left - 1 && svg.right <= vp.right + 1 && svg.top >= vp.top - 1 && svg.bottom <= vp.bottom + 1;
  });
  assert.ok(fits, "Fit puts the whole diagram inside the panel");
  assert.deepEqual(await page.evaluate(() => (window as any).__violations), []);
  assert.equal(await page.evaluate(() => document.querySelectorAll("#canvas script, #canvas foreignObject script").length), 0);
  await page.close();
});

test("diagram: restores zoom/pan from saved state", { skip }, async () => {
  const page = await openPage("diagram", { rootUri: "file:///app", zoom: 2, panX: 10, panY: 20, manual: true });
  await waitPosted(page, ((m: any) => m.type === "ready"));
  const ready = (await posted(page)).find((m) => m.type === "ready")!;
  assert.deepEqual(ready.state, { rootUri: "file:///app", zoom: 2, panX: 10, panY: 20, manual: true });
  assert.equal(await page.evaluate(() => document.getElementById("canvas")!.style.transform), "translate(10px, 20px) scale(2)");
  await page.close();
});

test("api explorer: shows the pre-filled request, sends the edited draft, shows the response", { skip }, async () => {
  const { endpoint } = (await import(MODELS)) as any;
  const ep = endpoint("users", "update", {
    method: ["PUT"], path: "/users/:id",
    pathSegments: [{ type: "literal", value: "users" }, { type: "param", value: "id", valueType: "int" }],
    request: { type: "object", required: ["id", "name"], properties: {
      id: { type: "integer", "x-reprise-source": "path" }, name: { type: "string", examples: ["Ada"] },
      trace: { type: "string", "x-reprise-source": "header", "x-reprise-name": "X-Trace" } } },
  });
  const page = await openPage("api-explorer");
  await waitPosted(page, ((m: any) => m.type === "ready"));
  const draft = draftRequest(ep);
  await send(page, { type: "endpoint", endpoint: { kind: "endpoint", rootUri: "file:///app", service: "users", name: "update", methods: ["PUT"], path: "/users/:id", doc: null, auth: false }, draft, baseUrl: "http://127.0.0.1:4000", running: true });
  assert.equal(await page.inputValue("#method"), "PUT");
  assert.equal(await page.inputValue("#path"), "/users/0");
  assert.deepEqual(JSON.parse(await page.inputValue("#body")), { name: "Ada" });
  assert.match(await page.inputValue("#headers"), /X-Trace: /);
  await page.fill("#path", "/users/7");
  await page.click("#send");
  const sent = await waitPosted(page, ((m: any) => m.type === "send"));
  assert.equal(sent.request.path, "/users/7");
  assert.equal(sent.request.method, "PUT");
  await send(page, { type: "response", id: sent.id, result: { ok: true, status: 200, statusText: "OK", headers: [{ name: "content-type", value: "application/json" }], body: '{"id":7}', truncated: false, timeMs: 3.2, error: null, url: "http://127.0.0.1:4000/users/7" } });
  await page.locator("#res-status", { hasText: "200 OK" }).waitFor({ timeout: 10000 });
  assert.match((await page.textContent("#res-body")) ?? "", /"id": 7/);
  assert.equal(await page.textContent("#res-time"), "3.2 ms");
  assert.deepEqual(await page.evaluate(() => (window as any).__violations), []);
  await page.close();
});

test("API explorer publish mode: the message is the body, Publish posts it, the message id or the refusal is summarised", { skip }, async () => {
  const page = await openPage("api-explorer");
  await waitPosted(page, ((m: any) => m.type === "ready"));
  const topic = { name: "signups", message: { type: "object", required: ["email"], properties: { email: { type: "string", format: "email" } } } };
  const draft = publishDraft(topic);
  await send(page, { type: "endpoint", endpoint: { kind: "topic", rootUri: "file:///app", service: "users", name: "signups", methods: ["POST"], path: draft.path, doc: "1 subscriber", auth: false }, draft, baseUrl: "http://127.0.0.1:4000", running: true });
  assert.equal(await page.textContent("#title"), "Publish to topic signups");
  assert.equal(await page.textContent("#send"), "Publish");
  assert.equal(await page.inputValue("#path"), "/__reprise/admin/topics/signups/publish");
  assert.ok(await page.locator("#path").evaluate((el) => (el as HTMLInputElement).readOnly), "the admin path is not editable");
  assert.ok(await page.locator("#method").isDisabled());
  assert.ok(await page.locator("#request-meta").isHidden(), "no query/headers in publish mode");
  assert.deepEqual(JSON.parse(await page.inputValue("#body")), { email: "user@example.com" });
  await page.fill("#body", '{ "email": "ada@example.com" }');
  await page.click("#send");
  const sent = await waitPosted(page, ((m: any) => m.type === "send"));
  assert.equal(sent.request.method, "POST");
  assert.deepEqual(JSON.parse(sent.request.body), { email: "ada@example.com" });
  const json = [{ name: "content-type", value: "application/json" }];
  await send(page, { type: "response", id: sent.id, result: { ok: true, status: 200, statusText: "OK", headers: json, body: '{"messageId":"m-17"}', truncated: false, timeMs: 1.5, error: null, url: "" } });
  await page.locator("#res-summary", { hasText: "Published: message id m-17" }).waitFor({ timeout: 10000 });
  // The saved state says "topic", so a reload restores publish mode.
  assert.equal(((await page.evaluate(() => (window as any).__state)) as any).endpoint.kind, "topic");
  await page.click("#send");
  const again = await waitPosted(page, ((m: any) => m.type === "send" && m.id !== sent.id));
  await send(page, { type: "response", id: again.id, result: { ok: false, status: 400, statusText: "Bad Request", headers: json, body: '{"code":"invalid_argument","message":"email: expected a string","details":null}', truncated: false, timeMs: 1, error: null, url: "" } });
  await page.locator("#res-summary", { hasText: "Not published: 400 invalid_argument: email: expected a string" }).waitFor({ timeout: 10000 });
  assert.deepEqual(await page.evaluate(() => (window as any).__violations), []);
  await page.close();
});
