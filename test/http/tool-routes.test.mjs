// The gate in front of a running app's tool routes (`/__reprise/*`, runtime/src/tool_routes.rs), over real HTTP
// against `reprise run`: a foreign Host is 404 (DNS rebinding), a foreign Origin on a write is 403, a missing or
// wrong token is 401, this run's token is 200; healthz answers anyone; a page-like request can neither publish, run
// a cron job nor read traces. Then the instance files: 0600, one per instance, found by the CLI in the app's folder
// (one: used; several: listed, --port picks; a killed one's file ignored), removed on SIGTERM.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { json, root, startApp, until } from "./helpers.mjs";

import { resolveTarget, parseTargetArgs } from "../../cli/dist/src/admin/client.js";

// The editor's reader of instance files (pure Node; extension/src/instances.ts, compiled by tsc -b).
const { toolToken } = createRequire(import.meta.url)("../../extension/dist/tsc/src/instances.js");

const cli = join(root, "cli", "bin", "reprise.mjs");

/** One HTTP/1.1 request with full control of the headers (fetch will not send a foreign Host). */
function request(url, { method = "GET", headers = {}, body } = {}) {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, text, body: text ? JSON.parse(text) : null }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** One HTTP/2 (h2c prior knowledge) request; `authority` is the `:authority` pseudo-header. */
function request2(url, { path, authority, headers = {} }) {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on("error", reject);
    const req = session.request({ ":path": path, ":authority": authority, ...headers });
    let text = "";
    let status = 0;
    req.on("response", (h) => (status = h[":status"]));
    req.setEncoding("utf8").on("data", (d) => (text += d));
    req.on("end", () => {
      session.close();
      resolve({ status, text });
    });
    req.on("error", reject);
    req.end();
  });
}

function reprise(args, cwd) {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 30_000, cwd }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test("tool routes: Host, Origin and token are checked; instance files lead the CLI to the app", { timeout: 180_000 }, async (t) => {
  // A copy of its own: the instance files of other tests' runs of the fixture do not show up here.
  const base = mkdtempSync(join(tmpdir(), "reprise-tool-routes-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, "app");
  cpSync(join(root, "test", "infra", "fixtures", "admin-app"), dir, { recursive: true });
  const app = await startApp(t, dir, { env: { REPRISE_TRACE_SAMPLE_RATE: "1" } });
  const port = Number(new URL(app.url).port);
  const host = `127.0.0.1:${port}`;
  const token = app.instance.token;
  const auth = { authorization: `Bearer ${token}` };
  const state = async () => json(await fetch(`${app.url}/state`));

  const traced = await fetch(`${app.url}/state`);
  const traceId = traced.headers.get("x-reprise-trace-id");
  assert.match(traceId ?? "", /^[0-9a-f]{32}$/);
  await until(async () => (await request(`${app.url}/__reprise/traces/${traceId}`, { headers: auth })).status === 200, { what: "the trace to be stored" });

  const message = JSON.stringify({ id: 1, tag: "gate" });
  const routes = [
    { method: "GET", path: "/__reprise/traces" },
    { method: "GET", path: `/__reprise/traces/${traceId}` },
    { method: "GET", path: "/__reprise/admin/cron" },
    { method: "POST", path: "/__reprise/admin/cron/count-ticks/run" },
    { method: "POST", path: "/__reprise/admin/topics/events/publish", body: message, headers: { "content-type": "application/json" } },
  ];
  const send = (r, headers) => request(app.url + r.path, { method: r.method, body: r.body, headers: { ...r.headers, ...headers } });

  await t.test("healthz answers anyone, holds no data", async () => {
    for (const headers of [{}, { host: "evil.example" }, { origin: "http://evil.example" }]) {
      const r = await request(`${app.url}/__reprise/healthz`, { headers });
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { status: "ok" });
    }
    assert.equal((await request(`${app.url}/__reprise/healthz`, { method: "POST" })).status, 405);
  });

  await t.test("a foreign Host is 404 on every route, token or not", async () => {
    for (const r of routes) {
      for (const h of [`evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `localhost.evil.example:${port}`, `127.0.0.1:${port + 1}`]) {
        const res = await send(r, { ...auth, host: h });
        assert.equal(res.status, 404, `${r.method} ${r.path} Host ${h}`);
        assert.equal(res.body.code, "not_found");
      }
    }
    // HTTP/2's :authority is checked the same way.
    assert.equal((await request2(app.url, { path: "/__reprise/admin/cron", authority: `evil.example:${port}`, headers: auth })).status, 404);
    assert.equal((await request2(app.url, { path: "/__reprise/admin/cron", authority: host, headers: auth })).status, 200);
  });

  await t.test("a foreign Origin on a write is 403, even with the token", async () => {
    for (const r of routes.filter((r) => r.method === "POST")) {
      for (const origin of [`http://evil.example:${port}`, "null", `http://127.0.0.1:${port + 1}`]) {
        const res = await send(r, { ...auth, host, origin });
        assert.equal(res.status, 403, `${r.path} Origin ${origin}`);
        assert.equal(res.body.code, "permission_denied");
      }
    }
  });

  await t.test("a missing or wrong token is 401", async () => {
    for (const r of routes) {
      const missing = await send(r, { host });
      assert.equal(missing.status, 401, `${r.method} ${r.path} without a token`);
      assert.equal(missing.body.code, "unauthenticated");
      assert.match(missing.body.message, new RegExp(`\\.reprise/instances/${port}\\.json`));
      assert.equal(missing.headers["www-authenticate"], 'Bearer realm="reprise"');
      const wrong = await send(r, { host, authorization: `Bearer ${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}` });
      assert.equal(wrong.status, 401, `${r.method} ${r.path} with a wrong token`);
      assert.equal((await send(r, { host, authorization: `Basic ${Buffer.from(`x:${token}`).toString("base64")}` })).status, 401);
    }
  });

  await t.test("this run's token is 200 on every route, by any loopback name", async () => {
    for (const r of routes) {
      for (const h of [host, `localhost:${port}`]) {
        const res = await send(r, { ...auth, host: h, ...(r.method === "POST" ? { origin: `http://${h}` } : {}) });
        assert.equal(res.status, 200, `${r.method} ${r.path} Host ${h}: ${res.text}`);
      }
    }
  });

  await t.test("a page-like request (foreign Origin, no token) cannot publish, run cron or read traces", async () => {
    const before = await state();
    // A page on another site, and a page that took over a name by DNS rebinding (its Host is its own name).
    for (const page of [{ host, origin: "http://evil.example" }, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` }]) {
      for (const r of [...routes, { ...routes[4], headers: { "content-type": "text/plain" } }]) {
        const res = await send(r, page);
        assert.ok([401, 403, 404].includes(res.status), `${r.method} ${r.path} from a page: ${res.status}`);
        assert.doesNotMatch(res.text, /traceId|"jobs"|messageId/, "nothing of the app's data in the answer");
      }
    }
    const after = await state();
    assert.equal(after.ticks, before.ticks, "no cron run");
    assert.equal(after.received.filter((m) => m.tag === "gate").length, before.received.filter((m) => m.tag === "gate").length, "no message published");
  });

  await t.test("app routes are untouched by the gate", async () => {
    const res = await request(`${app.url}/state`, { headers: { host: `evil.example:${port}`, origin: "http://evil.example" } });
    assert.equal(res.status, 200);
    assert.equal((await request(`${app.url}/__reprise/nope`, { headers: { ...auth, host } })).status, 404);
  });

  const instances = join(dir, ".reprise", "instances");
  await t.test("the instance file: port, pid, token, url; readable by its owner only", () => {
    const file = join(instances, `${port}.json`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(instances).mode & 0o777, 0o700);
    const record = JSON.parse(readFileSync(file, "utf8"));
    assert.deepEqual(record, { port, pid: app.proc.pid, token, url: `http://127.0.0.1:${port}` });
    assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  });

  await t.test("the editor finds the token by the app's URL among its app roots, never for another host", () => {
    assert.equal(toolToken(app.url, [tmpdir(), dir]), token);
    assert.equal(toolToken(`http://localhost:${port}`, [dir]), token);
    assert.equal(toolToken(`http://127.0.0.1:${port + 1}`, [dir]), null, "no instance on that port");
    assert.equal(toolToken(`http://evil.example:${port}`, [dir]), null, "not sent off this machine");
    assert.equal(toolToken(app.url, [tmpdir()]), null, "not in that folder");
  });

  await t.test("the CLI finds the one running instance of the app in its folder", async () => {
    const list = await reprise(["cron", "list"], dir);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^count-ticks\s+every 24h/m);
    const before = (await state()).ticks;
    const ran = await reprise(["cron", "run", "count-ticks"], join(dir, "jobs"));
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal((await state()).ticks, before + 1);
    const pub = await reprise(["pubsub", "publish", "events", '{"id": 2, "tag": "found"}'], dir);
    assert.equal(pub.code, 0, pub.stderr);
    await until(async () => (await state()).received.some((m) => m.tag === "found"), { what: "the published message" });
    const traces = await reprise(["traces", "--limit", "5"], dir);
    assert.equal(traces.code, 0, traces.stderr);
    assert.match(traces.stdout, /GET \/state\s+200/);
    // From a folder holding the app (not inside it), the one running instance below is found too.
    const above = await reprise(["cron", "list", "--json"], base);
    assert.equal(above.code, 0, above.stderr);
    const nowhere = join(base, "empty");
    mkdirSync(nowhere);
    const outside = await reprise(["cron", "list"], nowhere);
    assert.equal(outside.code, 2);
    assert.match(outside.stderr, /is not inside an app and holds none/);
  });

  await t.test("several instances: listed, --port picks one; a killed one's file is ignored; SIGTERM removes the file", async (st) => {
    const second = await startApp(st, dir);
    const port2 = Number(new URL(second.url).port);
    assert.notEqual(second.instance.token, token, "a token per run");
    const both = await reprise(["cron", "list"], dir);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /2 instances of the app in .* are running; choose one/);
    const bothAbove = await reprise(["traces"], base);
    assert.equal(bothAbove.code, 2);
    assert.match(bothAbove.stderr, /2 instances of the apps below .* are running; choose one/);
    assert.match(both.stderr, new RegExp(`--port ${port}\\b`));
    assert.match(both.stderr, new RegExp(`--port ${port2}\\b`));
    const picked = await reprise(["cron", "list", "--port", String(port2), "--json"], dir);
    assert.equal(picked.code, 0, picked.stderr);
    assert.equal(JSON.parse(picked.stdout).jobs.length, 3);
    // The first run's token does not open the second run's routes.
    assert.equal((await request(`${second.url}/__reprise/admin/cron`, { headers: auth })).status, 401);

    second.proc.kill("SIGKILL");
    await second.exited;
    assert.ok(existsSync(join(instances, `${port2}.json`)), "a kill -9 leaves its file");
    assert.equal(toolToken(second.url, [dir]), null, "the editor skips it too");
    const again = await reprise(["cron", "list"], dir);
    assert.equal(again.code, 0, `the dead instance's file is ignored: ${again.stderr}`);

    app.proc.kill("SIGTERM");
    assert.equal((await app.exited).code, 0);
    assert.ok(!existsSync(join(instances, `${port}.json`)), "removed on SIGTERM");
    const none = await reprise(["cron", "list"], dir);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no running instance of the app/);
  });
});

test("the CLI's choice of target: the token only ever goes to the instance's loopback port", async () => {
  const rec = (port) => ({ port, pid: 1, token: `token-of-${port}`.padEnd(43, "x"), url: `http://127.0.0.1:${port}` });
  const source = (inside, roots, byRoot) => ({ appRoots: () => ({ inside, roots }), instances: (r) => byRoot[r] ?? [] });
  const one = source(true, ["/app"], { "/app": [rec(4000)] });
  const resolve = (argv, src, env = {}) => resolveTarget(parseTargetArgs(argv), env, "/app", src);
  assert.deepEqual(await resolve([], one), { url: "http://127.0.0.1:4000", token: rec(4000).token, source: ".reprise/instances/4000.json" });
  assert.equal((await resolve(["--url", "http://localhost:4000"], one)).token, rec(4000).token);
  assert.equal((await resolve(["--url", "http://[::1]:4000"], one)).token, rec(4000).token);
  assert.equal((await resolve(["--url", "http://evil.example:4000"], one)).token, null, "not to another host");
  assert.equal((await resolve(["--url", "http://192.168.1.9:4000"], one)).token, null);
  assert.equal((await resolve(["--url", "http://127.0.0.1:4001"], one)).token, null, "not to another port");
  assert.equal((await resolve([], one, { REPRISE_URL: "http://evil.example:4000" })).token, null);
  assert.deepEqual(await resolve(["--port", "4001"], one), { url: "http://127.0.0.1:4001", token: null, source: "--port" });
  const two = source(true, ["/app"], { "/app": [rec(4000), rec(4001)] });
  await assert.rejects(resolve([], two), /2 instances of the app in \/app are running; choose one:\n {2}--port 4000 .*\n {2}--port 4001 /);
  assert.equal((await resolve(["--port", "4001"], two)).token, rec(4001).token);
  await assert.rejects(resolve([], source(true, ["/app"], {})), /no running instance of the app in \/app/);
  const below = source(false, ["/w/a", "/w/b"], { "/w/b": [rec(4002)] });
  assert.equal((await resolveTarget(parseTargetArgs([]), {}, "/w", below)).token, rec(4002).token, "the one instance among the apps below");
  await assert.rejects(resolveTarget(parseTargetArgs([]), {}, "/w", source(false, [], {})), /not inside an app and holds none/);
});
