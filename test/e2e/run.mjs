#!/usr/bin/env node
// End-to-end test of the Reprise extension in a real VS Code (code-server 4.100.3 = VS Code 1.100.3, web
// workbench) driven by Debian's Chromium through playwright-core.
//   (a) the mocha suite inside the Node extension host (extension/test/suite), result via codeAutomationExit
//   (b) UI steps as a user does them: diagnostic on the seeded mistake → quick fix → ▶ Run → ⚡ Call → response in
//       the API explorer → architecture view with a node per service → add a service on disk → diagram changes;
//       screenshots in e2e-out/.
// The fixture app (test/e2e/fixtures/app) is copied to e2e-out/workspace first, so edits never touch the repo.
// Everything started here is stopped by PID at the end. Closing line: `e2e: N passed, M failed`.
//
// Steps that need parts of Reprise that may not have landed (the runtime addon and `reprise run`) are reported
// as SKIPPED with the reason unless REPRISE_E2E_STRICT=1, which makes them run (and fail) regardless.
//
//   (c) the packaged .vsix installed with --install-extension into a fresh extensions dir: activation, the bundled
//       server's diagnostic, the bundled webviews.
//   (d) restricted mode: a second code-server with workspace trust on and the folder untrusted; its own mocha
//       suite (extension/test/restricted) and a UI check of the lenses.
// Usage: node test/e2e/run.mjs [--only=tests|ui|restricted|vsix]
// Env: VSCODE_E2E_HOME (default .vscode-e2e), CHROMIUM, E2E_OUT (default e2e-out), E2E_KEEP=1, REPRISE_E2E_STRICT=1
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import util from "node:util";
import { fileURLToPath } from "node:url";
import { describeProcesses, descendants, stillSame } from "./procs.mjs";
import { adminRouteGap, dataRouteGap, freePort, httpStatus, openFile, pollJson, revealTree, revealView, runCommand, sleep, treeRow, webviewFrame } from "./workbench.mjs";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const EXT = path.join(REPO, "extension");
const FIXTURE = path.join(REPO, "test", "e2e", "fixtures", "app");
const TESTS_MODULE = path.join(EXT, "dist", "tsc", "test", "suite", "index.js");
const RESTRICTED_TESTS_MODULE = path.join(EXT, "dist", "tsc", "test", "restricted", "index.js");
const TOOLS = path.resolve(process.env.VSCODE_E2E_HOME || path.join(REPO, ".vscode-e2e"));
const CODE_SERVER = path.join(TOOLS, "node_modules", "code-server", "out", "node", "entry.js");
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const OUT = path.resolve(process.env.E2E_OUT || path.join(REPO, "e2e-out"));
const WORKSPACE = path.join(OUT, "workspace");
const STRICT = process.env.REPRISE_E2E_STRICT === "1";
const ONLY = (process.argv.slice(2).find((a) => a.startsWith("--only=")) || "").slice(7);
const DEADLINE_MS = 7 * 60_000; // the whole phase must stay under ~8 minutes in CI

const T0 = Date.now();
const log = (...a) => console.log(`[e2e +${((Date.now() - T0) / 1000).toFixed(1)}s]`, ...a);

const NOISE = /^(Ignoring fetching additional builtin extensions from gallery|Resolv|Creating a socket|\[Service Worker\])/;

// ---------- preparation ----------

function ensureInstalled() {
  // Idempotent and ~0.3 s when code-server is already installed.
  const r = spawnSync("bash", [path.join(REPO, "test", "e2e", "install.sh")], { stdio: "inherit" });
  if (r.status !== 0) throw new Error("test/e2e/install.sh failed");
}

function ensureBuilt() {
  // Always: a stale bundle would test yesterday's extension (both steps take seconds when up to date).
  for (const [what, cmd, args] of [
    ["tsc -b extension", process.execPath, [path.join(REPO, "node_modules", "typescript", "bin", "tsc"), "-b", "extension"]],
    ["extension build:bundle", "npm", ["run", "build:bundle", "-w", "extension", "--silent"]],
  ]) {
    const r = spawnSync(cmd, args, { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
    if (r.status !== 0) throw new Error(`${what} failed`);
  }
  for (const m of [TESTS_MODULE, RESTRICTED_TESTS_MODULE]) if (!fs.existsSync(m)) throw new Error(`${m} missing after the build`);
}

/** Why `reprise run` can't work yet, or null when the runtime pieces are there. */
function runDependencyGap() {
  const native = path.join(REPO, "runtime", "sdk", "native");
  if (!fs.existsSync(native) || !fs.readdirSync(native).some((f) => f.endsWith(".node"))) return "the runtime addon (runtime/sdk/native/*.node) is not built";
  const r = spawnSync(process.execPath, [path.join(REPO, "cli", "bin", "reprise.mjs"), "run", "--help"], { encoding: "utf8", timeout: 20000 });
  if (/not implemented/i.test(`${r.stdout}${r.stderr}`)) return "`reprise run` is not implemented in the CLI yet";
  return null;
}

function prepareWorkspace(appPort) {
  fs.rmSync(WORKSPACE, { recursive: true, force: true });
  fs.cpSync(FIXTURE, WORKSPACE, { recursive: true });
  fs.mkdirSync(path.join(WORKSPACE, ".vscode"), { recursive: true });
  fs.writeFileSync(path.join(WORKSPACE, ".vscode", "settings.json"), JSON.stringify({ "reprise.run.port": appPort, "reprise.trace.server": "verbose" }, null, 2));
}

/** Files the "add a service" step writes into the workspace. */
const BILLING_SERVICE = {
  "billing/encore.service.ts": 'import { Service } from "encore.dev/service";\n\nexport default new Service("billing");\n',
  "billing/db.ts": 'import { SQLDatabase } from "encore.dev/storage/sqldb";\n\nexport const db = new SQLDatabase("billing", { migrations: "./migrations" });\n',
  "billing/migrations/1_init.up.sql": "CREATE TABLE invoices (id BIGSERIAL PRIMARY KEY, cents BIGINT NOT NULL);\n",
  "billing/billing.ts": [
    'import { api } from "encore.dev/api";',
    'import { CronJob } from "encore.dev/cron";',
    'import { Topic } from "encore.dev/pubsub";',
    'import { users } from "~encore/clients";',
    "",
    "export interface InvoiceEvent { id: number; cents: number }",
    'export const invoices = new Topic<InvoiceEvent>("invoices", { deliveryGuarantee: "at-least-once" });',
    "",
    'export const invoice = api({ expose: true, method: "POST", path: "/billing/invoice" }, async (): Promise<{ id: number }> => {',
    "  const { count } = await users.count();",
    "  await invoices.publish({ id: 1, cents: count * 100 });",
    "  return { id: 1 };",
    "});",
    "",
    'const _ = new CronJob("nightly-invoices", { title: "Nightly invoices", every: "24h", endpoint: invoice });',
    "",
  ].join("\n"),
  "users/on-invoice.ts": [
    'import { Subscription } from "encore.dev/pubsub";',
    'import { invoices } from "../billing/billing";',
    "",
    'const _ = new Subscription(invoices, "notify-user", { handler: async () => {} });',
    "",
  ].join("\n"),
};

// ---------- processes ----------

let server = null; // { child, tmp, port }
let browser = null;
let browserTmp = null;
const tracked = [];

function track() {
  for (const d of descendants(process.pid)) if (!tracked.some((t) => t.pid === d.pid && t.start === d.start)) tracked.push(d);
}

async function startCodeServer(opts = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startCodeServerOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !/EADDRINUSE/.test(fs.readFileSync(path.join(OUT, "code-server.log"), "utf8"))) throw e;
      log(`port taken, retrying (${e.message})`);
      await stopServer();
    }
  }
}

async function startCodeServerOnce({ installVsix = null, label = "dev", trust = false } = {}) {
  const port = await freePort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reprise-e2e-"));
  const userData = path.join(tmp, "user-data");
  fs.mkdirSync(path.join(userData, "User"), { recursive: true });
  fs.mkdirSync(path.join(tmp, "extensions"));
  fs.writeFileSync(path.join(userData, "User", "settings.json"), JSON.stringify({
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": false,
    "workbench.enableExperiments": false,
    // Trust on only for the restricted phase: the folder is then untrusted (never trusted in this fresh profile)
    // and no start-up prompt asks about it.
    "security.workspace.trust.enabled": trust,
    "security.workspace.trust.startupPrompt": "never",
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoCheckUpdates": false,
    "extensions.autoUpdate": false,
    "extensions.ignoreRecommendations": true,
    "chat.commandCenter.enabled": false,
    "git.enabled": false,
    "typescript.tsserver.experimental.enableProjectDiagnostics": false,
    // The fixture has no node_modules: keep TypeScript's own "cannot find module" errors out of the way.
    "typescript.validate.enable": false,
    // VS Code waits for every code action provider before it shows quick fixes, and TypeScript's semantic server
    // needs ~15 s on this 2-core box to load its first project: with it, each quick-fix check took 15-40 s
    // (measured in the extension-host test: executeCodeActionProvider 14.8 s → 0.4 s with the syntax server only).
    "typescript.tsserver.useSyntaxServer": "always",
    "editor.codeLens": true,
    "workbench.colorTheme": "Default Dark Modern",
  }, null, 2));
  fs.writeFileSync(path.join(tmp, "config.yaml"), "");
  const env = {
    ...process.env, TMPDIR: tmp, XDG_DATA_HOME: path.join(tmp, "xdg-data"), XDG_CONFIG_HOME: path.join(tmp, "xdg-config"),
    XDG_CACHE_HOME: path.join(tmp, "xdg-cache"), EXTENSIONS_GALLERY: "{}",
  };
  if (installVsix) {
    // What a user does: `code --install-extension reprise-<version>-linux-x64.vsix` into a fresh extensions dir.
    const r = spawnSync(process.execPath, [CODE_SERVER, "--config", path.join(tmp, "config.yaml"), "--user-data-dir", userData,
      "--extensions-dir", path.join(tmp, "extensions"), "--install-extension", installVsix], { env, encoding: "utf8", timeout: 120000 });
    fs.writeFileSync(path.join(OUT, "install-extension.log"), `${r.stdout}\n${r.stderr}`);
    if (r.status !== 0 || !/successfully installed/.test(`${r.stdout}${r.stderr}`)) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw new Error(`--install-extension failed (exit ${r.status}); see e2e-out/install-extension.log`);
    }
  }
  const logFd = fs.openSync(path.join(OUT, installVsix ? "code-server-vsix.log" : "code-server.log"), "w");
  const child = spawn(process.execPath, [
    CODE_SERVER, "--config", path.join(tmp, "config.yaml"), "--auth", "none", "--bind-addr", `127.0.0.1:${port}`,
    "--user-data-dir", userData, "--extensions-dir", path.join(tmp, "extensions"), "--disable-telemetry",
    "--disable-update-check", ...(trust ? [] : ["--disable-workspace-trust"]), "--disable-getting-started-override", "--ignore-last-opened", WORKSPACE,
  ], {
    detached: true,
    stdio: ["ignore", logFd, logFd],
    env,
  });
  fs.closeSync(logFd);
  server = { child, tmp, port, label };
  const exited = new Promise((r) => child.once("exit", (code, sig) => r(`code-server exited (${code ?? sig})`)));
  const deadline = Date.now() + 60000;
  for (;;) {
    const r = await Promise.race([httpStatus(`http://127.0.0.1:${port}/healthz`), exited]);
    if (r === 200) break;
    if (typeof r === "string") throw new Error(`${r}; see ${OUT}/code-server.log`);
    if (Date.now() > deadline) throw new Error("code-server did not answer /healthz within 60 s");
    await sleep(200);
  }
  log(`code-server pid ${child.pid} ready on 127.0.0.1:${port}`);
  return port;
}

async function stopServer() {
  if (!server) return;
  const { child, tmp, label } = server;
  server = null;
  if (child.exitCode === null && child.signalCode === null) {
    track();
    const gone = new Promise((r) => child.once("exit", r));
    try { process.kill(-child.pid, "SIGTERM"); } catch {}
    if ((await Promise.race([gone.then(() => "gone"), sleep(10000)])) !== "gone") {
      try { process.kill(-child.pid, "SIGKILL"); } catch {}
      await gone;
    }
  }
  // Keep the workbench and extension-host logs as CI artefacts, one folder per code-server launch.
  try { fs.cpSync(path.join(tmp, "user-data", "logs"), path.join(OUT, "logs", label), { recursive: true }); } catch {}
  if (!process.env.E2E_KEEP) fs.rmSync(tmp, { recursive: true, force: true });
}

let stopping = null;
function stopAll() {
  stopping ??= (async () => {
    track();
    if (browser) await browser.close().catch(() => {});
    browser = null;
    if (browserTmp) fs.rmSync(browserTmp, { recursive: true, force: true });
    await stopServer();
    await sleep(500);
    for (const p of tracked) if (stillSame(p)) { try { process.kill(p.pid, "SIGKILL"); } catch {} }
    await sleep(200);
    const left = tracked.filter(stillSame);
    log(left.length ? `STILL RUNNING: ${describeProcesses(left)}` : `stopped ${tracked.length} processes we started; none left`);
  })();
  return stopping;
}

// ---------- workbench helpers ----------

function workbenchUrl(port, payload) {
  const q = new URLSearchParams({ folder: WORKSPACE, payload: JSON.stringify(payload) });
  return `http://127.0.0.1:${port}/?${q}`;
}
const remote = (port, p) => `vscode-remote://127.0.0.1:${port}${p}`;

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => log("page error:", e.message));
  return page;
}

// (a) mocha inside the extension host
async function runExtensionTests(port, testsModule = TESTS_MODULE) {
  const page = await newPage();
  let summary = null;
  let resolveExit;
  const exit = new Promise((r) => (resolveExit = r));
  await page.exposeFunction("codeAutomationLog", (level, args) => {
    const text = util.format(...(Array.isArray(args) ? args : [args]));
    const m = /mocha: (\d+) passed, (\d+) failed/.exec(text);
    if (m) summary = { passed: Number(m[1]), failed: Number(m[2]) };
    if (NOISE.test(text)) return;
    for (const line of text.split("\n")) console.log(`  [vscode ${level}] ${line}`);
  });
  await page.exposeFunction("codeAutomationExit", (code) => resolveExit(code));
  await page.goto(workbenchUrl(port, [
    ["extensionDevelopmentPath", remote(port, EXT)],
    ["extensionTestsPath", remote(port, testsModule)],
    ["skipWelcome", "true"],
  ]));
  log("workbench loaded; extension-host tests running");
  const code = await Promise.race([exit, sleep(240000).then(() => "timeout")]);
  await page.context().close();
  return { code, summary };
}

// (b) UI steps
async function runUiChecks(port, appPort, runGap) {
  const results = []; // { name, status: "ok" | "fail" | "skip", why? }
  const page = await newPage();
  let aborted = false;
  let adminGap; // probed once, after the app runs
  let dataGap; // the data admin routes (issue 22), probed once when a step needs them
  const step = async (name, fn, { needsRun = false, needsAdmin = false, needsData = false } = {}) => {
    if (aborted) return results.push({ name, status: "fail", why: "an earlier step failed" });
    if (needsAdmin && !runGap) adminGap ??= await adminRouteGap(appPort, WORKSPACE);
    if (needsData && !runGap) dataGap ??= await dataRouteGap(appPort, WORKSPACE);
    const gap = needsRun || needsAdmin || needsData ? runGap ?? (needsAdmin ? adminGap : null) ?? (needsData ? dataGap : null) : null;
    if (gap && !STRICT) {
      log(`ui SKIP ${name}: ${gap} (REPRISE_E2E_STRICT=1 runs it anyway)`);
      return results.push({ name, status: "skip", why: gap });
    }
    const t = Date.now();
    try {
      await fn();
      results.push({ name, status: "ok" });
      log(`ui ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
    } catch (e) {
      results.push({ name, status: "fail", why: e.message.split("\n")[0] });
      log(`ui FAIL ${name}: ${e.message.split("\n")[0]}`);
      await page.screenshot({ path: path.join(OUT, `fail-${results.length}.png`) }).catch(() => {});
      if (!needsRun && !needsAdmin && !needsData) aborted = true; // later steps build on this one
    }
  };
  const statusItem = (re) => page.locator(".statusbar-item", { hasText: re }).first();
  try {
    await page.goto(workbenchUrl(port, [["extensionDevelopmentPath", remote(port, EXT)], ["skipWelcome", "true"]]));
    await step("workbench shows the app", async () => {
      await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
      await page.locator(".explorer-folders-view .monaco-list-row", { hasText: "hello" }).first().waitFor({ timeout: 60000 });
    });
    await step("the extension activates on encore.app (status bar item)", async () => {
      await statusItem(/Reprise/).waitFor({ timeout: 60000 });
    });
    await step("inline diagnostic on the seeded mistake (RP2001)", async () => {
      await openFile(page, "hello/hello.ts", "hello/:name");
      await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: 90000 });
      await statusItem(/Reprise: 1 problem/).waitFor({ timeout: 30000 });
      await page.screenshot({ path: path.join(OUT, "diagnostic.png") });
    });
    await step("quick fix adds the leading slash and the diagnostic goes away", async () => {
      await page.locator(".monaco-editor .view-lines").first().click();
      // Put the cursor on the problem, then Ctrl+. until the server's fix is offered (a request that races
      // a re-analysis can come back empty; the user would simply press again).
      const item = page.locator(".action-widget .monaco-list-row", { hasText: /leading/i }).first();
      const deadline = Date.now() + 45000;
      for (;;) {
        await page.keyboard.press("Control+Home");
        await page.keyboard.press("F8"); // next problem: moves the cursor onto the squiggle
        await page.keyboard.press("Escape");
        await page.keyboard.press("End");
        await page.keyboard.press("Shift+Home"); // select the line: the request range then covers the whole problem
        await page.keyboard.press("Control+.");
        if (await item.waitFor({ timeout: 4000 }).then(() => true, () => false)) break;
        if (Date.now() > deadline) throw new Error("the quick fix was never offered");
        await page.keyboard.press("Escape");
      }
      // The fix is the first, focused row (playwright's pointer actions never see the animated widget as stable).
      await page.keyboard.press("Enter");
      await page.locator(".monaco-editor .view-lines", { hasText: '"/hello/:name"' }).first().waitFor({ timeout: 20000 });
      await page.keyboard.press("Control+S");
      await page.locator(".monaco-editor .squiggly-error").first().waitFor({ state: "detached", timeout: 60000 });
      await statusItem(/^(?!.*problem).*Reprise/).waitFor({ timeout: 30000 });
    });
    await step("API explorer opens with the request pre-filled from the endpoint's schema", async () => {
      await runCommand(page, "Reprise: Open API Explorer");
      await page.locator(".quick-input-list .monaco-list-row", { hasText: "hello.greet" }).first().waitFor({ timeout: 30000 });
      await page.keyboard.type("hello.greet");
      await page.keyboard.press("Enter");
      const frame = await webviewFrame(page, "#res-status", 30000);
      await frame.locator("#title", { hasText: "hello.greet" }).waitFor({ timeout: 30000 });
      const p = await frame.locator("#path").inputValue();
      if (p !== "/hello/name") throw new Error(`pre-filled path is ${JSON.stringify(p)}`);
      // One field per path parameter, kept in step with the path.
      const field = frame.locator('#params [data-source="path"][data-name="name"]');
      await field.waitFor({ timeout: 30000 });
      await field.fill("e2e user");
      const typed = await frame.locator("#path").inputValue();
      if (typed !== "/hello/e2e%20user") throw new Error(`path after typing in the name field: ${JSON.stringify(typed)}`);
      await page.screenshot({ path: path.join(OUT, "api-explorer-draft.png") });
    });
    await step("▶ Run starts the app (status bar: running)", async () => {
      // Back to the editor: the explorer's webview took the focus when the previous step typed into it.
      await openFile(page, "hello/hello.ts", "hello/:name");
      const run = page.locator(".codelens-decoration a", { hasText: "Run" }).first();
      await run.waitFor({ timeout: 60000 });
      await run.click();
      await statusItem(new RegExp(`running on :${appPort}`)).waitFor({ timeout: 120000 });
    }, { needsRun: true });
    await step("⚡ Call shows the endpoint's response in the API explorer", async () => {
      const call = page.locator(".codelens-decoration a", { hasText: "Call" }).first();
      await call.waitFor({ timeout: 30000 });
      await call.click();
      const frame = await webviewFrame(page, "#res-status", 30000);
      await frame.locator("#path").waitFor({ timeout: 30000 });
      await frame.locator("#res-status", { hasText: "200" }).waitFor({ timeout: 60000 });
      const body = await frame.locator("#res-body").textContent();
      if (!/Hello, /.test(body ?? "")) throw new Error(`response body ${JSON.stringify(body)}`);
      // The request is in the endpoint's history (kept in workspace state).
      await frame.locator("#history option", { hasText: /GET \/hello\/\S+ → 200/ }).first().waitFor({ state: "attached", timeout: 30000 });
      await page.screenshot({ path: path.join(OUT, "api-explorer.png") });
    }, { needsRun: true });
    await step("✉ Publish test message: the message id is shown, the subscriber got it, a bad message shows the 400", async () => {
      await openFile(page, "users/signups.ts", "new Topic");
      const lens = page.locator(".codelens-decoration a", { hasText: "Publish test message" }).first();
      await lens.waitFor({ timeout: 60000 });
      await lens.click();
      const frame = await webviewFrame(page, "#res-summary", 30000);
      await frame.locator("#title", { hasText: "Publish to topic signups" }).waitFor({ timeout: 30000 });
      const sample = JSON.parse(await frame.locator("#body").inputValue());
      if (!("email" in sample) || sample.plan !== "free") throw new Error(`sample message ${JSON.stringify(sample)}`);
      await frame.locator("#body").fill(JSON.stringify({ email: "ada@example.com", plan: "team" }, null, 2));
      await frame.locator("#send").click();
      await frame.locator("#res-summary", { hasText: /Published: message id \S+/ }).waitFor({ timeout: 30000 });
      await page.screenshot({ path: path.join(OUT, "publish.png") });
      // The subscriber (hello/welcome.ts) records the email; its endpoint shows it.
      await pollJson(`http://127.0.0.1:${appPort}/hello/welcomes`, (b) => b?.emails?.includes("ada@example.com"), "the welcome subscriber to receive the message");
      await frame.locator("#body").fill('{ "email": 42, "plan": "free" }');
      await frame.locator("#send").click();
      await frame.locator("#res-summary", { hasText: /Not published: 400 invalid_argument/ }).waitFor({ timeout: 30000 });
    }, { needsAdmin: true });
    await step("▶ Run now runs the private cron endpoint through the runtime and shows its duration", async () => {
      // expose: false — a plain request from outside does not reach it, which is why Run now uses the admin route.
      const outside = await fetch(`http://127.0.0.1:${appPort}/users/recount`, { method: "POST" });
      if (outside.status !== 404) throw new Error(`POST /users/recount from outside answered ${outside.status}, expected 404`);
      const before = (await pollJson(`http://127.0.0.1:${appPort}/users/count`, (b) => typeof b?.recounts === "number", "users.count")).recounts;
      await openFile(page, "users/users.ts", "new CronJob");
      const lens = page.locator(".codelens-decoration a", { hasText: "Run now" }).first();
      await lens.waitFor({ timeout: 60000 });
      await lens.click();
      await page.locator(".notifications-toasts .notification-list-item-message", { hasText: /ran Recount users \(users\.recount\) in \d+ ms/ }).first().waitFor({ timeout: 60000 });
      await page.screenshot({ path: path.join(OUT, "cron-run-now.png") });
      const after = (await pollJson(`http://127.0.0.1:${appPort}/users/count`, (b) => b?.recounts > before, "users.count to show one more recount")).recounts;
      if (after !== before + 1) throw new Error(`recounts went from ${before} to ${after}`);
    }, { needsAdmin: true });
    await step("Reprise tree: inline ⚡ Call on an endpoint answers, the context menu offers Debug", async () => {
      const view = await revealTree(page);
      const row = treeRow(view, "count");
      await row.hover();
      await row.locator(".action-label[aria-label^='Call Endpoint']").click();
      const frame = await webviewFrame(page, "#res-status", 30000);
      await frame.locator("#title", { hasText: "users.count" }).waitFor({ timeout: 30000 });
      await frame.locator("#res-status", { hasText: "200" }).waitFor({ timeout: 60000 });
      if (!/"count": 3/.test((await frame.locator("#res-body").textContent()) ?? "")) throw new Error("users.count body");
      await row.click({ button: "right" });
      await page.locator(".context-view .action-label", { hasText: "Debug Endpoint" }).first().waitFor({ timeout: 10000 });
      await page.keyboard.press("Escape");
    }, { needsRun: true });
    let diagram;
    await step("architecture view shows a node per service", async () => {
      await runCommand(page, "Reprise: Show Architecture");
      diagram = await webviewFrame(page, "#canvas", 30000);
      for (const id of ["service:hello", "service:users"]) await diagram.locator(`g.reprise-node[data-node-id="${id}"]`).waitFor({ timeout: 60000 });
      await page.screenshot({ path: path.join(OUT, "architecture.png") });
    });
    await step("adding a service on disk updates the diagram live", async () => {
      // A service with a database, a topic with a subscriber elsewhere, an RPC call and a cron job, so the
      // diagram also shows edges of every kind.
      for (const [rel, text] of Object.entries(BILLING_SERVICE)) {
        fs.mkdirSync(path.dirname(path.join(WORKSPACE, rel)), { recursive: true });
        fs.writeFileSync(path.join(WORKSPACE, rel), text);
      }
      for (const id of ["service:billing", "database:billing", "topic:invoices", "cron:nightly-invoices"]) {
        await diagram.locator(`g.reprise-node[data-node-id="${id}"]`).waitFor({ timeout: 60000 });
      }
      if ((await diagram.locator("#canvas svg").count()) !== 1) throw new Error("the new SVG did not replace the old one");
      await page.screenshot({ path: path.join(OUT, "architecture-live.png") });
      // A close-up of the panel with the editor group maximised (Ctrl+K Ctrl+M), for the docs.
      await page.keyboard.press("Control+K");
      await page.keyboard.press("Control+M");
      await sleep(1000); // layout animation; the screenshot is not an assertion
      const outer = diagram.parentFrame() ?? diagram;
      const box = await (await outer.frameElement()).boundingBox();
      if (box) await page.screenshot({ path: path.join(OUT, "architecture-panel.png"), clip: box });
      await page.keyboard.press("Control+K");
      await page.keyboard.press("Control+M");
    });
    await step("clicking a diagram node reveals its declaration", async () => {
      await diagram.locator('g.reprise-node[data-node-id="service:billing"]').click();
      await page.locator(".tab.active .label-name", { hasText: "encore.service.ts" }).waitFor({ timeout: 20000 });
    });
    await step("Reprise: New Service (palette, name typed in the input box, a taken name refused) writes the service and the tree lists it", async () => {
      await runCommand(page, "Reprise: New Service");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor({ timeout: 10000 });
      // The server checks the name as it is typed: a taken one is refused with the reason.
      await input.fill("users");
      await page.locator(".quick-input-message", { hasText: "A service named 'users' already exists." }).waitFor({ timeout: 20000 });
      await input.fill("audit");
      await page.locator(".quick-input-message", { hasText: "already exists" }).waitFor({ state: "detached", timeout: 20000 }).catch(() => {});
      await page.keyboard.press("Enter");
      await page.locator(".tab.active .label-name", { hasText: "encore.service.ts" }).waitFor({ timeout: 30000 });
      // The Reprise tree lists it (the rendered diagram gaining its node is checked in the extension-host suite).
      await treeRow(await revealTree(page), "audit").waitFor({ timeout: 60000 });
      const written = fs.readFileSync(path.join(WORKSPACE, "audit", "encore.service.ts"), "utf8");
      if (!written.includes('export default new Service("audit")')) throw new Error(`audit/encore.service.ts: ${written}`);
      await page.screenshot({ path: path.join(OUT, "new-service.png") });
    });
    await step("Reprise tree: services → endpoints / topics / databases / cron jobs; items reveal their source", async () => {
      const view = await revealTree(page);
      for (const label of ["billing", "hello", "users", "greet", "welcomes", "count", "recount", "signups", "Recount users", "invoice", "invoices", "Nightly invoices"]) {
        await treeRow(view, label).waitFor({ timeout: 30000 });
      }
      // billing's database (from the service added live) with its migration count.
      await view.locator(".monaco-list-row", { hasText: /billing\s*1 migrations?/ }).first().waitFor({ timeout: 30000 });
      await treeRow(view, "Recount users").click();
      await page.locator(".tab.active .label-name", { hasText: "users.ts" }).waitFor({ timeout: 20000 });
      await page.locator(".monaco-editor .view-lines", { hasText: "new CronJob" }).first().waitFor({ timeout: 20000 });
      await treeRow(view, "signups").click();
      await page.locator(".tab.active .label-name", { hasText: "signups.ts" }).waitFor({ timeout: 20000 });
      await page.screenshot({ path: path.join(OUT, "tree.png") });
    });
    /** A data view's row, refreshing the view until it shows (the app reloads after files change on disk). */
    const untilRow = async (name, label, timeoutMs = 90000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const view = await revealView(page, name, { waitForRows: false });
        if (await treeRow(view, label).isVisible()) return view;
        if (Date.now() > deadline) throw new Error(`the ${name} view never listed ${label}`);
        await runCommand(page, "Reprise: Refresh Data Views");
        await sleep(1500);
      }
    };
    const dialogButton = (label) => page.locator(".monaco-dialog-box .monaco-button", { hasText: new RegExp(`^${label}$`) }).first();
    await step("Databases view: billing → invoices → columns; the SQL console commits a confirmed write, shows results and an error at its position", async () => {
      const view = await untilRow("Databases", "billing");
      await treeRow(view, "billing").click();
      await treeRow(view, "invoices").waitFor({ timeout: 60000 });
      await treeRow(view, "invoices").click(); // opens the table (and expands it)
      await webviewFrame(page, "#grid", 30000);
      const db = treeRow(view, "billing");
      await db.hover();
      await db.locator(".action-label[aria-label^='Open SQL Console']").click();
      const sql = await webviewFrame(page, "#sql", 30000);
      await sql.locator("#title", { hasText: "SQL console · billing" }).waitFor({ timeout: 30000 });
      await sql.locator("#sql").fill("INSERT INTO invoices (cents) VALUES (4200) RETURNING id");
      await sql.locator("#allow-write").check();
      await sql.locator("#run").click();
      await dialogButton("Run and commit").click();
      await sql.locator("#status", { hasText: /1 row .* committed/ }).waitFor({ timeout: 30000 });
      // The committed write reloads the views: the table's row count follows.
      await view.locator(".monaco-list-row", { hasText: /invoices\s*1 rows?/ }).first().waitFor({ timeout: 30000 });
      await sql.locator("#allow-write").uncheck();
      await sql.locator("#sql").fill("SELECT cents FROM invoices");
      await sql.locator("#sql").press("Control+Enter");
      await sql.locator("#status", { hasText: /read-only/ }).waitFor({ timeout: 30000 });
      await sql.locator("table.grid td", { hasText: /^4200$/ }).waitFor({ timeout: 30000 });
      await sql.locator("#sql").fill("SELECT nope\nFROM invoices");
      await sql.locator("#run").click();
      await sql.locator("#error", { hasText: "at line 1, column 8" }).waitFor({ timeout: 30000 });
      await page.screenshot({ path: path.join(OUT, "sql-console.png") });
    }, { needsData: true });
    await step("Databases view: opening the table shows its rows in the paged grid", async () => {
      const view = await revealView(page, "Databases");
      await treeRow(view, "invoices").click();
      const grid = await webviewFrame(page, "#prev", 30000);
      await grid.locator("#refresh").click();
      await grid.locator("table.grid td", { hasText: /^4200$/ }).waitFor({ timeout: 30000 });
      await grid.locator("#status", { hasText: /rows 1–1 \(end\)/ }).waitFor({ timeout: 30000 });
      await page.screenshot({ path: path.join(OUT, "table-grid.png") });
    }, { needsData: true });
    await step("Migrations view: billing's 1_init is applied; Pub/Sub view: topics with their subscriptions and dead-letter counts", async () => {
      let view = await untilRow("Migrations", "billing");
      await treeRow(view, "billing").click();
      await view.locator(".monaco-list-row", { hasText: /1_init\s*applied/ }).first().waitFor({ timeout: 30000 });
      view = await untilRow("Pub/Sub", "invoices");
      await treeRow(view, "invoices").click();
      await treeRow(view, "notify-user").waitFor({ timeout: 30000 });
      await treeRow(view, "notify-user").click();
      await treeRow(view, "No dead letters").waitFor({ timeout: 30000 });
      await page.screenshot({ path: path.join(OUT, "migrations-pubsub.png") });
    }, { needsData: true });
    await step("Buckets view: upload a workspace file (Explorer context menu), see it, delete it after confirming", async () => {
      fs.writeFileSync(path.join(WORKSPACE, "billing/receipts.ts"), 'import { Bucket } from "encore.dev/storage/objects";\n\nexport const receipts = new Bucket("receipts");\n');
      fs.writeFileSync(path.join(WORKSPACE, "upload-me.txt"), "a receipt\n");
      // The app reloads with the new bucket (--watch); refresh until the view lists it.
      let view = await untilRow("Buckets", "receipts");
      await page.keyboard.press("Control+Shift+E");
      const file = page.locator(".explorer-folders-view .monaco-list-row", { hasText: "upload-me.txt" }).first();
      await file.click({ button: "right" });
      // The item sits at the menu's bottom edge, where a pointer click is not taken: focus it and press Enter.
      await page.locator(".context-view .action-label", { hasText: "Upload to Bucket…" }).first().hover();
      await page.keyboard.press("Enter");
      const input = page.locator(".quick-input-widget input");
      await input.waitFor({ timeout: 10000 });
      if ((await input.inputValue()) !== "upload-me.txt") throw new Error(`proposed key ${JSON.stringify(await input.inputValue())}`);
      await input.fill("e2e/upload-me.txt");
      await page.keyboard.press("Enter");
      await page.locator(".notifications-toasts .notification-list-item-message", { hasText: /Uploaded e2e\/upload-me\.txt to receipts \(10 bytes\)/ }).first().waitFor({ timeout: 30000 });
      view = await revealView(page, "Buckets");
      const expand = async (label) => {
        const r = treeRow(view, label);
        await r.waitFor({ timeout: 30000 });
        if ((await r.getAttribute("aria-expanded")) !== "true") await r.click();
      };
      await expand("receipts");
      await expand("e2e/");
      const row = treeRow(view, "upload-me.txt");
      await row.waitFor({ timeout: 30000 });
      await row.click(); // preview: opens the object's bytes in an editor
      await page.locator(".monaco-editor .view-lines", { hasText: "a receipt" }).first().waitFor({ timeout: 30000 });
      await revealView(page, "Buckets");
      await row.hover();
      await row.locator(".action-label[aria-label^='Delete Object']").click();
      await dialogButton("Delete").click();
      await row.waitFor({ state: "detached", timeout: 30000 });
      await page.screenshot({ path: path.join(OUT, "buckets.png") });
    }, { needsData: true });
    await step("⏹ Stop stops the app", async () => {
      await runCommand(page, "Reprise: Stop App");
      await statusItem(/running on/).waitFor({ state: "detached", timeout: 30000 });
    }, { needsRun: true });
  } finally {
    await page.context().close().catch(() => {});
  }
  return results;
}

// (d) what a user sees in restricted mode: informational lenses only, the shield in the status bar
async function runRestrictedUiCheck(port) {
  const page = await newPage();
  const results = [];
  let name = "restricted mode: the topic shows its subscriber count but no Publish, endpoints no Run / Call, shield status";
  const t = Date.now();
  try {
    await page.goto(workbenchUrl(port, [["extensionDevelopmentPath", remote(port, EXT)], ["skipWelcome", "true"]]));
    await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
    await page.locator(".statusbar-item", { hasText: /Reprise: 1 problem/ }).first().waitFor({ timeout: 90000 });
    await openFile(page, "users/signups.ts", "new Topic");
    await page.locator(".codelens-decoration", { hasText: "1 subscriber" }).first().waitFor({ timeout: 60000 });
    if (await page.locator(".codelens-decoration", { hasText: /Publish test message/ }).count()) throw new Error("the Publish lens is shown in restricted mode");
    await openFile(page, "hello/welcome.ts", "new Subscription");
    await page.locator(".codelens-decoration", { hasText: "topic signups" }).first().waitFor({ timeout: 60000 });
    if (await page.locator(".codelens-decoration", { hasText: /Run|Call|Debug/ }).count()) throw new Error("Run / Call / Debug lenses are shown in restricted mode");
    await page.screenshot({ path: path.join(OUT, "restricted.png") });
    results.push({ name, status: "ok" });
    log(`restricted ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
    // Granting trust (the Workspace Trust editor's "Trust" button) brings the hidden lenses back, without a reload.
    name = "granting trust shows the Run / Call / Publish lenses without a reload";
    const t2 = Date.now();
    // The trust editor opens in a second group, so welcome.ts stays on screen: its lenses must come back by
    // themselves (the extension asks for a code-lens refresh when trust is granted), not by reopening the file.
    await page.keyboard.press("Control+\\");
    await page.locator(".editor-group-container").nth(1).waitFor({ timeout: 10000 });
    await runCommand(page, "Manage Workspace Trust");
    await page.locator(".workspace-trust-editor .workspace-trust-buttons .monaco-button", { hasText: /^Trust/ }).first().click();
    await page.locator(".workspace-trust-editor", { hasText: "You trust this folder" }).waitFor({ timeout: 20000 });
    await page.locator(".editor-group-container").first().locator(".codelens-decoration a", { hasText: "Call" }).first().waitFor({ timeout: 30000 });
    await page.keyboard.press("Control+W"); // close the trust editor (it keeps the focus otherwise)
    await page.locator(".tab", { hasText: "signups.ts" }).first().click();
    await page.locator(".codelens-decoration a", { hasText: "Publish test message" }).first().waitFor({ timeout: 30000 });
    results.push({ name, status: "ok" });
    log(`restricted ok   ${name} (${((Date.now() - t2) / 1000).toFixed(1)}s)`);
  } catch (e) {
    results.push({ name, status: "fail", why: e.message.split("\n")[0] });
    log(`restricted FAIL ${name}: ${e.message.split("\n")[0]}`);
    await page.screenshot({ path: path.join(OUT, "fail-restricted.png") }).catch(() => {});
  } finally {
    await page.context().close().catch(() => {});
  }
  return results;
}

/** The .vsix `npm run package` writes, rebuilt when older than the extension bundle. */
function ensureVsix() {
  const version = JSON.parse(fs.readFileSync(path.join(EXT, "package.json"), "utf8")).version;
  const vsix = path.join(REPO, `reprise-${version}-linux-x64.vsix`);
  const bundle = path.join(EXT, "dist", "extension.js");
  if (!fs.existsSync(vsix) || fs.statSync(vsix).mtimeMs < fs.statSync(bundle).mtimeMs) {
    log("packaging the .vsix (npm run package)");
    const r = spawnSync("npm", ["run", "package", "--silent"], { cwd: REPO, stdio: ["ignore", "ignore", "inherit"] });
    if (r.status !== 0) throw new Error("npm run package failed");
  }
  return vsix;
}

// (c) the packaged extension, installed the way a user installs it (no extensionDevelopmentPath)
async function runVsixChecks(port) {
  const results = [];
  const page = await newPage();
  const step = async (name, fn) => {
    if (results.some((r) => r.status === "fail")) return results.push({ name, status: "fail", why: "an earlier step failed" });
    const t = Date.now();
    try {
      await fn();
      results.push({ name, status: "ok" });
      log(`vsix ok   ${name} (${((Date.now() - t) / 1000).toFixed(1)}s)`);
    } catch (e) {
      results.push({ name, status: "fail", why: e.message.split("\n")[0] });
      log(`vsix FAIL ${name}: ${e.message.split("\n")[0]}`);
      await page.screenshot({ path: path.join(OUT, `fail-vsix-${results.length}.png`) }).catch(() => {});
    }
  };
  try {
    await page.goto(`http://127.0.0.1:${port}/?${new URLSearchParams({ folder: WORKSPACE })}`);
    await step("installed .vsix activates on encore.app and its bundled server reports the seeded mistake", async () => {
      await page.locator(".monaco-workbench").waitFor({ timeout: 60000 });
      await page.locator(".statusbar-item", { hasText: /Reprise: 1 problem/ }).first().waitFor({ timeout: 90000 });
      await openFile(page, "hello/hello.ts", "hello/:name");
      await page.locator(".monaco-editor .squiggly-error").first().waitFor({ timeout: 60000 });
    });
    await step("VS Code reports the installed extension's activation time (Developer: Show Running Extensions)", async () => {
      // What VS Code shows users: code loading + the activate() call (issue 25's goal: ≤50 ms). A figure, not a
      // timed assertion (this machine is shared): it is logged and written to e2e-out/activation.json.
      await runCommand(page, "Developer: Show Running Extensions");
      const row = page.locator(".runtime-extensions-editor .extension", { has: page.locator("div.name", { hasText: /^Reprise$/ }) }).first();
      const text = (await row.locator("div.activation-time").textContent({ timeout: 30000 })) ?? "";
      const ms = Number(/(\d+)\s*ms/.exec(text)?.[1]);
      if (!Number.isFinite(ms)) throw new Error(`no activation time in "${text}"`);
      log(`vsix: VS Code reports "${text.trim()}" for Reprise`);
      fs.writeFileSync(path.join(OUT, "activation.json"), JSON.stringify({ activationMs: ms, text: text.trim() }) + "\n");
      await page.keyboard.press("Control+W");
    });
    await step("installed .vsix draws the architecture from its bundled webviews", async () => {
      await runCommand(page, "Reprise: Show Architecture");
      const frame = await webviewFrame(page, "#canvas", 30000);
      await frame.locator('g.reprise-node[data-node-id="service:users"]').waitFor({ timeout: 60000 });
    });
  } finally {
    await page.context().close().catch(() => {});
  }
  return results;
}

async function main() {
  fs.mkdirSync(OUT, { recursive: true });
  ensureInstalled();
  ensureBuilt();
  const runGap = runDependencyGap();
  if (runGap) log(`note: ${runGap}; run/call steps ${STRICT ? "will run anyway (REPRISE_E2E_STRICT=1)" : "are skipped"}`);
  const appPort = await freePort();
  fs.rmSync(path.join(OUT, "logs"), { recursive: true, force: true });
  prepareWorkspace(appPort);
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const port = !ONLY || ONLY === "tests" || ONLY === "ui" ? await startCodeServer() : null;
  browserTmp = fs.mkdtempSync(path.join(os.tmpdir(), "reprise-e2e-browser-"));
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true, handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,
    env: { ...process.env, XDG_CONFIG_HOME: browserTmp, XDG_CACHE_HOME: browserTmp },
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
  });
  log(`chromium ${browser.version()} launched`);
  const poll = setInterval(track, 1000);
  const watchdog = setTimeout(() => { log(`deadline of ${DEADLINE_MS / 60000} min passed: stopping`); stopAll().finally(() => process.exit(1)); }, DEADLINE_MS);
  try {
    if (!ONLY || ONLY === "tests") {
      const { code, summary } = await runExtensionTests(port);
      log(`extension-host tests exit code: ${code}`, summary ? `(mocha ${summary.passed} passed, ${summary.failed} failed)` : "");
      if (summary) { passed += summary.passed; failed += summary.failed; }
      if (code !== 0 && (!summary || summary.failed === 0)) failed += 1;
    }
    if (!ONLY || ONLY === "ui") {
      const ui = await runUiChecks(port, appPort, runGap);
      passed += ui.filter((r) => r.status === "ok").length;
      failed += ui.filter((r) => r.status === "fail").length;
      skipped += ui.filter((r) => r.status === "skip").length;
      for (const r of ui.filter((x) => x.status !== "ok")) log(`  ${r.status.toUpperCase()}: ${r.name} — ${r.why}`);
    }
    if (!ONLY || ONLY === "restricted") {
      // (d) an untrusted workspace: a code-server with workspace trust on, the dev extension, a mocha suite of its
      // own and one UI check of what the user sees.
      await stopServer();
      prepareWorkspace(appPort);
      const restrictedPort = await startCodeServer({ label: "restricted", trust: true });
      const { code, summary } = await runExtensionTests(restrictedPort, RESTRICTED_TESTS_MODULE);
      log(`restricted-mode tests exit code: ${code}`, summary ? `(mocha ${summary.passed} passed, ${summary.failed} failed)` : "");
      if (summary) { passed += summary.passed; failed += summary.failed; }
      if (code !== 0 && (!summary || summary.failed === 0)) failed += 1;
      const ui = await runRestrictedUiCheck(restrictedPort);
      passed += ui.filter((r) => r.status === "ok").length;
      failed += ui.filter((r) => r.status === "fail").length;
    }
    if (!ONLY || ONLY === "vsix") {
      await stopServer();
      prepareWorkspace(appPort);
      let vsixResults;
      try {
        const vsixPort = await startCodeServer({ installVsix: ensureVsix(), label: "vsix" });
        vsixResults = await runVsixChecks(vsixPort);
      } catch (e) {
        log(`vsix FAIL: ${e.message}`);
        vsixResults = [{ name: "install the .vsix", status: "fail", why: e.message }];
      }
      passed += vsixResults.filter((r) => r.status === "ok").length;
      failed += vsixResults.filter((r) => r.status === "fail").length;
    }
  } finally {
    clearInterval(poll);
    clearTimeout(watchdog);
    await stopAll();
  }
  console.log(`e2e: ${passed} passed, ${failed} failed${skipped ? ` (${skipped} skipped)` : ""}`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.once(sig, () => {
    log(`${sig}: shutting down`);
    stopAll().finally(() => process.exit(130));
  });
}
main().then(
  (code) => process.exit(code),
  async (e) => {
    console.error(e);
    await stopAll();
    console.log("e2e: 0 passed, 1 failed");
    process.exit(1);
  },
);
