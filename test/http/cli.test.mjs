// `reprise run` as a command: refuses apps with error diagnostics (listing them), rejects bad options, and passes
// --inspect through to the Node inspector.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, root, startApp } from "./helpers.mjs";

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

test("--inspect opens the Node inspector", async (t) => {
  const app = await startApp(t, fixture("encore-app"), { args: ["--inspect=127.0.0.1:0"] });
  assert.match(app.stdout, /Debugger listening on ws:\/\/127\.0\.0\.1:\d+\//);
  const r = await fetch(app.url + "/hello/dbg");
  assert.equal(r.status, 200);
});
