// `reprise run` as a command: refuses apps with error diagnostics (listing them), rejects bad options, and passes
// --inspect through to the Node inspector (loopback only unless asked for; Node's inspector refuses a foreign Host,
// so a web page cannot reach it by DNS rebinding).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { fixture, root, startApp } from "./helpers.mjs";
import { parseRunArgs } from "../../cli/dist/src/run/args.js";

const cli = join(root, "cli", "bin", "reprise.mjs");

test("an app with error diagnostics does not start", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-bad-app-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "reprise.app"), '{ "id": "bad" }');
  mkdirSync(join(dir, "svc"));
  writeFileSync(join(dir, "svc", "reprise.service.ts"), 'import { Service } from "reprise/service";\nexport default new Service("svc");\n');
  writeFileSync(join(dir, "svc", "api.ts"), 'import { api } from "reprise/api";\nexport const x = api({ method: "GET", path: "no-slash", expose: true }, async () => ({ ok: true }));\n');
  const r = spawnSync(process.execPath, [cli, "run", dir, "--port", "0"], { encoding: "utf8", timeout: 60_000 });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /error\(s\); fix them to start/);
  assert.match(r.stderr, /svc\/api\.ts:2:\d+\s+error RP\d+/);
});

test("bad options are usage errors", () => {
  const r = spawnSync(process.execPath, [cli, "run", "--port", "nope"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /expected a port number/);
  const u = spawnSync(process.execPath, [cli, "run", "--frobnicate"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(u.status, 2);
});

/** The first line a raw HTTP/1.1 request to 127.0.0.1:port gets back (fetch will not send a foreign Host). */
function statusLine(port, head) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, "127.0.0.1", () => sock.write(head));
    sock.once("data", (d) => {
      resolve(d.toString("latin1").split("\r\n")[0]);
      sock.destroy();
    });
    sock.on("error", reject);
  });
}

test("--inspect opens the Node inspector, which refuses a foreign Host", async (t) => {
  const app = await startApp(t, fixture("encore-app"), { args: ["--inspect=127.0.0.1:0"] });
  const m = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\/([0-9a-f-]+)/.exec(app.stdout);
  assert.ok(m, app.stdout);
  const r = await fetch(app.url + "/hello/dbg");
  assert.equal(r.status, 200);
  const [, port, id] = m;
  const get = (path, host, extra = "") => statusLine(Number(port), `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}\r\n`);
  const upgrade = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  assert.match(await get("/json/list", `127.0.0.1:${port}`), / 200 /, "a loopback Host lists the targets");
  // A rebound page's requests carry its own name: the target list (with the session id) and the session refuse it.
  assert.match(await get("/json/list", `evil.example:${port}`), / 400 /);
  assert.match(await get(`/${id}`, `evil.example:${port}`, upgrade), / 400 /);
  assert.match(await get(`/${id}`, `localhost:${port}`, upgrade), / 101 /);
});

test("--inspect on a host that is not loopback needs REPRISE_INSPECT_REMOTE=1", () => {
  const r = spawnSync(process.execPath, [cli, "run", fixture("encore-app"), "--inspect=0.0.0.0:0"], { encoding: "utf8", timeout: 30_000, env: { ...process.env, REPRISE_INSPECT_REMOTE: "" } });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /the inspector would listen on 0\.0\.0\.0, not on loopback: anyone who reaches that port can run code/);
  assert.deepEqual(parseRunArgs(["--inspect=0.0.0.0:9229"], { REPRISE_INSPECT_REMOTE: "1" }).inspect, { host: "0.0.0.0", port: 9229 });
  for (const host of ["127.0.0.1", "localhost", "[::1]", "127.0.0.2"]) assert.equal(parseRunArgs([`--inspect=${host}:9229`], {}).inspect.host, host);
  for (const host of ["192.168.1.2", "example.com", "[::]"]) assert.throws(() => parseRunArgs([`--inspect=${host}:9229`], {}), /not on loopback/);
});
