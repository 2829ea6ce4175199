// The browser dashboard (runtime/src/dashboard.rs, webviews/src/dashboard/, cli/src/run/dashboard.ts) against
// `reprise run` over real HTTP: the page and its files need no token but still the loopback Host; traversal and
// other names are refused; every file carries the CSP header and its content type; the admin routes still need the
// token. Then headless Chromium (Debian's, as the webview tests use it) opens the URL `reprise run` printed: the
// token leaves the address bar, nothing violates the CSP, the catalog renders, the SQL console (the same bundle as
// VS Code's) runs a query, a file is uploaded to a bucket and listed, the trace viewer opens a request, the
// architecture diagram renders, and the API explorer calls an endpoint.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startApp, until } from "../http/helpers.mjs";
import { chromiumPath, launch, NO_CHROMIUM } from "../../webviews/dist/test/browser.js";

function request(url, { method = "GET", headers = {}, path } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: path ?? u.pathname + u.search, method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on("error", reject);
    req.end();
  });
}

test("browser dashboard: served without the token behind the loopback checks; works in Chromium under its CSP", { timeout: 240_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), "reprise-dashboard-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, "app");
  cpSync(join(root, "test", "infra", "fixtures", "admin-data-app"), dir, { recursive: true });
  const app = await startApp(t, dir, { env: { REPRISE_TRACE_SAMPLE_RATE: "1" } });
  const dashboard = await until(() => /Dashboard: (http:\/\/\S+)/.exec(app.stdout)?.[1], { what: "the dashboard URL printed" });
  const port = new URL(app.url).port;
  assert.equal(dashboard, `http://127.0.0.1:${port}/__reprise/?token=${encodeURIComponent(app.instance.token)}`);

  await t.test("the gate: no token for the page, Host still checked, traversal refused, CSP on every file", async () => {
    const page = await request(`${app.url}/__reprise/`);
    assert.equal(page.status, 200, page.text);
    assert.match(page.headers["content-type"], /^text\/html; charset=utf-8/);
    const csp = page.headers["content-security-policy"];
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    assert.equal(page.headers["referrer-policy"], "no-referrer");
    assert.equal(page.headers["x-content-type-options"], "nosniff");
    assert.match(page.text, /<script src="\/__reprise\/ui\/dashboard\.js"><\/script>/);
    assert.doesNotMatch(page.text, /<script>|<script [^>]*>[^<]/, "no inline script");
    assert.equal((await request(`${app.url}/__reprise`)).status, 200);
    for (const [file, type] of [["dashboard.js", /^text\/javascript/], ["sql-console.js", /^text\/javascript/], ["data.css", /^text\/css/], ["sql.html", /^text\/html/], ["catalog.html", /^text\/html/]]) {
      const r = await request(`${app.url}/__reprise/ui/${file}`);
      assert.equal(r.status, 200, file);
      assert.match(r.headers["content-type"], type, file);
      assert.equal(r.headers["content-security-policy"], csp, file);
    }
    // The catalog is this app's.
    assert.match((await request(`${app.url}/__reprise/ui/catalog.html`)).text, /store/);
    // A foreign Host (DNS rebinding) sees nothing; nor does a loopback name with another port.
    for (const host of ["evil.example:" + port, "127.0.0.1:1", "evil.example"]) {
      assert.equal((await request(`${app.url}/__reprise/`, { headers: { host } })).status, 404, host);
      assert.equal((await request(`${app.url}/__reprise/ui/dashboard.js`, { headers: { host } })).status, 404, host);
    }
    // Traversal and anything but one plain file name of the folder: 404, never a file from elsewhere.
    writeFileSync(join(dir, ".reprise", "secret.txt"), "do not serve");
    for (const path of ["/__reprise/ui/../secret.txt", "/__reprise/ui/..%2Fsecret.txt", "/__reprise/ui/%2e%2e/secret.txt", "/__reprise/ui/..\\secret.txt",
      "/__reprise/ui/.%2e/instances", "/__reprise/ui/", "/__reprise/ui/nope.js", "/__reprise/ui/a/dashboard.js", "/__reprise/ui/.hidden"]) {
      const r = await request(app.url, { path });
      assert.equal(r.status, 404, `${path}: ${r.text.slice(0, 100)}`);
      assert.doesNotMatch(r.text, /do not serve|"token"/);
    }
    // Only GET/HEAD.
    const post = await request(`${app.url}/__reprise/`, { method: "POST" });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, "GET, HEAD");
    // The data still needs the token.
    assert.equal((await request(`${app.url}/__reprise/admin/databases`)).status, 401);
    assert.equal((await request(app.url, { path: "/__reprise/ui/../admin/databases" })).status, 404, "not resolved to the admin route");
  });

  await t.test("Chromium: opens the printed URL, no CSP violation, runs a query, uploads an object", { skip: chromiumPath() ? false : NO_CHROMIUM }, async () => {
    const browser = await launch();
    t.after(() => browser.close());
    const page = await browser.newPage();
    const problems = [];
    page.on("console", (m) => {
      if (m.type() === "error") problems.push(`console: ${m.text()} at ${m.location().url}`);
    });
    page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
    // In every frame, before any script of the page.
    await page.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        try {
          (window.top.__violations ??= []).push(`${e.violatedDirective} ${e.blockedURI} ${location.pathname}`);
        } catch {
          // cross-origin top: cannot happen here (same origin)
        }
      });
    });
    await page.goto(dashboard);
    // The token left the address bar at once.
    await until(async () => !(await page.evaluate(() => location.href)).includes("token"), { what: "token removed from the address bar" });
    assert.equal(await page.evaluate(() => location.href), `http://127.0.0.1:${port}/__reprise/`);

    // Databases (the first view with a token): the shop database and its tables.
    await page.locator('[data-table="shop/public.items"]').waitFor({ timeout: 20_000 });

    // The SQL console, the same bundle VS Code frames, in a same-origin frame hosted by the shell.
    await page.locator('[data-sql="shop"]').click();
    const frame = page.frameLocator("#frame");
    await frame.locator("#sql").fill("SELECT count(*)::int AS n FROM items");
    await frame.locator("#run").click();
    await frame.locator("#grid td").first().waitFor({ timeout: 20_000 });
    assert.equal((await frame.locator("#grid td").first().textContent()).trim(), "30");
    const shown = await page.evaluate(() => window.repriseDashboard.shown);
    assert.ok(shown.some((m) => m.what === "result" && m.rows === 1), JSON.stringify(shown));

    // The table grid through the same host.
    await page.locator('nav [data-page="databases"]').click();
    await page.locator('[data-table="shop/public.items"]').click();
    await frame.locator("#open-sql").waitFor({ timeout: 20_000 });
    await frame.locator("#grid td").first().waitFor({ timeout: 20_000 });
    assert.ok(await frame.locator("#grid tr").count() > 10);

    // Buckets: upload a file, see it listed, and find it through the admin API with the token.
    await page.locator('nav [data-page="buckets"]').click();
    await page.locator("#upload-file").setInputFiles({ name: "hello.txt", mimeType: "text/plain", buffer: Buffer.from("hello from the dashboard") });
    await page.locator("#upload-key").fill("dash/hello.txt");
    await page.locator("#upload").click();
    await page.locator('#objects tr[data-key="dash/hello.txt"]').waitFor({ timeout: 20_000 });
    const stored = await app.tool(`/__reprise/admin/buckets/files/object?key=${encodeURIComponent("dash/hello.txt")}`);
    assert.equal(stored.status, 200);
    assert.equal(await stored.text(), "hello from the dashboard");

    // The catalog frame renders this app's service.
    await page.locator('nav [data-page="catalog"]').click();
    await frame.locator("h2", { hasText: "store" }).waitFor({ timeout: 20_000 });

    // Traces: the viewer's bundle (VS Code's) lists this test's request and opens its waterfall.
    assert.equal((await fetch(`${app.url}/count`)).status, 200);
    await page.locator('nav [data-page="traces"]').click();
    await frame.locator("#refresh").click();
    const row = frame.locator("tr.trace", { hasText: "/count" }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
    await frame.locator("#waterfall .wf-row").first().waitFor({ timeout: 20_000 });

    // Architecture: the diagram bundle (mermaid) draws the serving build's graph, the store service among it.
    await page.locator('nav [data-page="diagram"]').click();
    await frame.locator("g.reprise-node").first().waitFor({ timeout: 30_000 });
    const rendered = await page.evaluate(() => window.repriseDashboard.shown.filter((m) => m.type === "rendered" || m.type === "renderError"));
    assert.equal(rendered.at(-1)?.type, "rendered", JSON.stringify(rendered));
    assert.ok(rendered.at(-1).nodeIds.some((id) => id.includes("store")), JSON.stringify(rendered));
    // A click on the service node offers its declaration as a vscode://file link.
    const storeNode = rendered.at(-1).nodeIds.find((id) => id.includes("store") && id.startsWith("service"));
    await frame.locator(`g.reprise-node[data-node-id="${storeNode}"]`).click();
    const reveal = await until(() => page.evaluate(() => window.repriseDashboard.shown.find((m) => m.type === "reveal")), { what: "a reveal link" });
    assert.ok([dir, realpathSync(dir)].some((d) => reveal.url.startsWith(`vscode://file${d}/store/`)), reveal.url);
    assert.match(reveal.url, /\.ts:\d+:\d+$/);
    assert.equal(await page.locator("#status a#reveal").getAttribute("href"), reveal.url);

    // API explorer: VS Code's explorer page, drafted from the model, sends from the page's origin.
    await page.locator('nav [data-page="explorer"]').click();
    await page.locator('[data-endpoint="store.count"]').click();
    await frame.locator("#path").waitFor({ timeout: 20_000 });
    await until(async () => (await frame.locator("#path").inputValue()) === "/count", { what: "the drafted path", timeoutMs: 20_000 });
    await frame.locator("#send").click();
    await until(async () => /200/.test((await frame.locator("#res-status").textContent()) ?? ""), { what: "the response status", timeoutMs: 20_000 });
    assert.match(await frame.locator("#res-body").textContent(), /"items": ?30/);

    const violations = await page.evaluate(() => window.__violations ?? []);
    assert.deepEqual(violations, [], "CSP violations");
    assert.deepEqual(problems, [], "console errors");

    // Without a token the page asks for it (and gets nothing from the data routes).
    const bare = await browser.newPage();
    await bare.goto(`http://127.0.0.1:${port}/__reprise/`);
    await bare.locator('nav [data-page="databases"]').click();
    await bare.locator("#token-input").waitFor({ timeout: 10_000 });
    await bare.locator("#token-input").fill(app.instance.token);
    await bare.locator("#token-save").click();
    await bare.locator('[data-table="shop/public.items"]').waitFor({ timeout: 20_000 });
  });
});
