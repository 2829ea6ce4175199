// The SDK has one addon loader (runtime/sdk/src/internal/native.ts): REPRISE_NATIVE_PATH names the addon, the old
// REPRISE_NATIVE still works with one deprecation warning, and a missing addon is an RP_NATIVE_MISSING error (the
// run-time error namespace, not the analyser's RPxxxx). Runs in a child process so the environment is its own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const loader = pathToFileURL(join(root, "runtime", "sdk", "dist", "src", "internal", "native.js")).href;
const infra = pathToFileURL(join(root, "runtime", "sdk", "dist", "src", "config", "native.js")).href;

function run(env, body) {
  const script = `const { nativePath, native } = await import(${JSON.stringify(loader)}); const infra = await import(${JSON.stringify(infra)});\n${body}`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { env: { PATH: process.env.PATH, ...env }, encoding: "utf8" });
  return { out: r.stdout.trim(), err: r.stderr, status: r.status };
}

test("REPRISE_NATIVE_PATH names the addon; a missing one is RP_NATIVE_MISSING from both the host's and the infrastructure's entry", () => {
  const r = run({ REPRISE_NATIVE_PATH: "/nonexistent/new.node" }, `
    console.log(nativePath());
    for (const load of [native, infra.native]) { try { load(); console.log("loaded"); } catch (e) { console.log(e.code); } }`);
  assert.equal(r.status, 0, r.err);
  assert.deepEqual(r.out.split("\n"), ["/nonexistent/new.node", "RP_NATIVE_MISSING", "RP_NATIVE_MISSING"]);
  assert.doesNotMatch(r.err, /DeprecationWarning/);
});

test("REPRISE_NATIVE is still read, with one deprecation warning", () => {
  const r = run({ REPRISE_NATIVE: "/nonexistent/old.node" }, "console.log(nativePath()); nativePath();");
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, "/nonexistent/old.node");
  assert.equal(r.err.match(/DeprecationWarning: REPRISE_NATIVE is deprecated; set REPRISE_NATIVE_PATH/g)?.length, 1, r.err);
});

test("the host and the infrastructure modules get the same copy of the addon", () => {
  const r = run({}, "console.log(native() === infra.native());");
  assert.equal(r.status, 0, r.err);
  assert.equal(r.out, "true");
});
