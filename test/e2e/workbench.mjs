// Helpers of the VS Code e2e harness (test/e2e/run.mjs) that need no harness state: ports, HTTP polling, and
// driving the web workbench (command palette, quick open, webview frames, the Reprise tree).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export { freePort } from "../http/helpers.mjs";

export function httpStatus(url) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on("error", () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** The inner frame of the webview whose page contains `selector` (webviews are two nested iframes). */
export async function webviewFrame(page, selector, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const f of page.frames()) {
      if (f.name() !== "active-frame" && !/active-frame/.test(f.url()) && f.parentFrame() === page.mainFrame()) continue;
      try {
        if (await f.$(selector)) return f;
      } catch {}
    }
    if (Date.now() > deadline) throw new Error(`no webview with ${selector}`);
    await sleep(200);
  }
}

export async function runCommand(page, title) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ timeout: 10000 });
  await input.fill(`>${title}`);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: title }).first().waitFor({ timeout: 30000 });
  await page.keyboard.press("Enter");
}

export async function openFile(page, rel, expectText) {
  await page.locator(".monaco-workbench").click({ position: { x: 700, y: 450 } }).catch(() => {});
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ timeout: 10000 });
  await input.fill(rel);
  await page.locator(".quick-input-list .monaco-list-row", { hasText: path.basename(rel) }).first().waitFor({ timeout: 30000 });
  await page.keyboard.press("Enter");
  await page.locator(".monaco-editor .view-lines", { hasText: expectText }).first().waitFor({ timeout: 20000 });
}

/** GETs a JSON URL until `ok(body)` holds (deadline 30 s); returns the body. */
export async function pollJson(url, ok, what, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = await res.json().catch(() => null);
      if (res.ok && ok(body)) return body;
      last = `${res.status} ${JSON.stringify(body)}`;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await sleep(250);
  }
}

/**
 * Why the admin-route steps can't run: the runtime on appPort has no `/__reprise/admin` routes (yet). The routes
 * want the run's token, from the instance file `reprise run` wrote in the app's folder `appRoot`.
 */
export async function adminRouteGap(appPort, appRoot) {
  let headers = {};
  try {
    const { token } = JSON.parse(fs.readFileSync(path.join(appRoot, ".reprise", "instances", `${appPort}.json`), "utf8"));
    headers = { authorization: `Bearer ${token}` };
  } catch (e) {
    return `the app wrote no instance file (${e.message})`;
  }
  try {
    const res = await fetch(`http://127.0.0.1:${appPort}/__reprise/admin/cron`, { headers, signal: AbortSignal.timeout(5000) });
    const body = await res.json().catch(() => null);
    return res.ok && Array.isArray(body?.jobs) ? null : `the runtime has no admin routes (GET /__reprise/admin/cron answered ${res.status})`;
  } catch (e) {
    return `the app is not answering (${e.message})`;
  }
}

/** Why the data admin routes (databases, buckets: issue 22) cannot be used on the running app, or null. */
export async function dataRouteGap(appPort, appRoot) {
  let headers = {};
  try {
    const { token } = JSON.parse(fs.readFileSync(path.join(appRoot, ".reprise", "instances", `${appPort}.json`), "utf8"));
    headers = { authorization: `Bearer ${token}` };
  } catch (e) {
    return `the app wrote no instance file (${e.message})`;
  }
  try {
    const res = await fetch(`http://127.0.0.1:${appPort}/__reprise/admin/databases`, { headers, signal: AbortSignal.timeout(5000) });
    const body = await res.json().catch(() => null);
    return res.ok && Array.isArray(body?.databases) ? null : `the runtime has no data admin routes (GET /__reprise/admin/databases answered ${res.status})`;
  } catch (e) {
    return `the app is not answering (${e.message})`;
  }
}

/** The Reprise container's App view (services → endpoints / topics / databases / cron jobs), expanded. */
export function revealTree(page) {
  return revealView(page, "App");
}

/**
 * A view of the Reprise activity-bar container (App, Databases, Migrations, Buckets, Pub/Sub), expanded with the
 * others collapsed (the list renders only the rows in view, so the view gets the sidebar's height).
 */
export async function revealView(page, name, { waitForRows = true } = {}) {
  await runCommand(page, "View: Show Reprise");
  const title = { hasText: new RegExp(`^${name}`) };
  const header = page.locator(".sidebar .pane-header", title).first();
  await header.waitFor({ timeout: 30000 });
  const others = page.locator(".sidebar .pane-header[aria-expanded='true']", { hasNotText: new RegExp(`^${name}`) });
  for (let i = await others.count(); i > 0; i--) await others.first().click();
  if ((await header.getAttribute("aria-expanded")) !== "true") await header.click();
  const pane = page.locator(".sidebar .pane", { has: page.locator(".pane-header", title) }).first();
  if (waitForRows) await pane.locator(".monaco-list-row").first().waitFor({ timeout: 30000 });
  return pane;
}

/** A tree row by its label (exact, so "count" doesn't match "recount"). */
export function treeRow(view, label) {
  return view.locator(".monaco-list-row", { has: view.page().locator(".label-name", { hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }) }).first();
}
