/**
 * Every diagram toMermaid produces must parse in the real mermaid (the pinned mermaid@12 build the webview
 * ships), including the snapshot models with hostile names. Runs mermaid.parse in headless Chromium because
 * mermaid 12 needs a DOM.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { toGraph, toMermaid, type AppModel } from "@reprise/protocol";
import { chromiumPath, launch, NO_CHROMIUM, ORIGIN, serve } from "./browser.js";

const require = createRequire(import.meta.url);
const MERMAID = join(dirname(require.resolve("mermaid/package.json")), "dist/mermaid.min.js");
// The models snapshotted by protocol's tests (compiled there; loaded by path so this project doesn't compile them).
const here = dirname(fileURLToPath(import.meta.url));
const modelsModule = join(here, "../../../protocol/dist/test/models.js");

const skip = chromiumPath() ? false : NO_CHROMIUM;
let browser: Browser;
let page: Page;

before(async () => {
  if (skip) return;
  browser = await launch();
  page = await browser.newPage();
  await serve(page, { "/index.html": { text: "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body></body></html>" }, "/mermaid.js": { file: MERMAID } });
  await page.goto(`${ORIGIN}/index.html`);
  await page.addScriptTag({ url: `${ORIGIN}/mermaid.js` });
  await page.evaluate(() => (globalThis as any).mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }));
});
after(async () => {
  await browser?.close();
});

async function parse(text: string): Promise<{ ok: boolean; error?: string }> {
  return page.evaluate(async (t) => {
    try {
      await (globalThis as any).mermaid.parse(t);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: String((e as Error)?.message ?? e) };
    }
  }, text);
}

async function renderedLabels(text: string): Promise<string[]> {
  return page.evaluate(async (t) => {
    const { svg } = await (globalThis as any).mermaid.render(`r${Math.random().toString(36).slice(2)}`, t);
    const div = document.createElement("div");
    div.innerHTML = svg;
    return [...div.querySelectorAll("g.node")].map((g) => g.textContent?.trim() ?? "");
  }, text);
}

test("mermaid parses every snapshot model's diagram", { skip }, async () => {
  const { allModels } = (await import(modelsModule)) as { allModels: Record<string, AppModel> };
  for (const [name, m] of Object.entries(allModels)) {
    for (const direction of ["LR", "TB"] as const) {
      const r = await parse(toMermaid(toGraph(m), { direction }));
      assert.ok(r.ok, `${name} (${direction}): ${r.error}`);
    }
  }
});

test("a control: mermaid really rejects broken text (so the parse check can fail)", { skip }, async () => {
  const r = await parse('flowchart LR\n  a["unterminated] --> b');
  assert.equal(r.ok, false);
});

test("hostile names render as their literal text, nothing executes", { skip }, async () => {
  const { hostileNames } = (await import(modelsModule)) as { hostileNames: AppModel };
  const labels = await renderedLabels(toMermaid(toGraph(hostileNames)));
  for (const expected of ['we"ird[1]', "end", "café-ñ ☕ 日本", "<script>alert(1)</script>", "#quot; & `tick` {x} (y) \\ back", "graph TD"]) {
    assert.ok(labels.includes(expected), `label ${JSON.stringify(expected)} among ${JSON.stringify(labels)}`);
  }
  assert.equal(await page.evaluate(() => document.querySelectorAll("script").length), 1, "only mermaid's own script tag");
});

test("generated names (random unicode, punctuation, keywords) always parse", { skip }, async () => {
  // Deterministic pseudo-random names: a fixed-seed LCG over an alphabet of troublesome characters.
  const alphabet = [..."aZ09_-. \"'`<>&#;:|[](){}\\/=*%@!?,~^$+é☕日\u200b"];
  let seed = 42;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const name = () => Array.from({ length: 1 + rnd(12) }, () => alphabet[rnd(alphabet.length)]).join("");
  const { model, service } = (await import(modelsModule)) as any;
  for (let round = 0; round < 20; round++) {
    const names = Array.from({ length: 5 }, name);
    const m: AppModel = model({
      services: names.map((n: string, i: number) =>
        service(n, { calls: [{ service: names[(i + 1) % names.length], endpoint: name(), location: { file: "x", range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } } }] })),
    });
    const text = toMermaid(toGraph(m));
    const r = await parse(text);
    assert.ok(r.ok, `round ${round}: ${r.error}\n${text}`);
  }
});
