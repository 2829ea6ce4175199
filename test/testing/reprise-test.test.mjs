// `reprise test` on a fixture app (test/testing/fixtures/orders-app): its node:test suite runs against isolated
// infrastructure — endpoint calls go through the runtime (validation, auth data set by the test, APIError codes),
// a published message reaches its subscriber, parallel test files do not share rows, the dev database is never
// opened — and a broken assertion or an app that fails to start gives a non-zero exit code naming the problem.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { root } from "../http/helpers.mjs";
import { copyFixture, reprise } from "./helpers.mjs";

test("the fixture's suite passes through the runtime, parallel files see only their own rows, and a broken assertion fails the run", { timeout: 300_000 }, async (t) => {
  const dir = copyFixture(t);
  const pass = await reprise(t, dir, [], 150_000, { REPRISE_TIMINGS: "1" });
  assert.equal(pass.code, 0, pass.out);
  // Each of the 3 test processes loads its own in-memory copy of the migrated template (no data directory copied).
  assert.equal(pass.out.match(/reprise test: database orders cloned in \d+ ms \(its [\d.]+ MB template read into memory\)/g)?.length, 3, pass.out);
  for (const name of [
    "an order placed through one endpoint is read back through another",
    "an unknown order is a not-found APIError",
    "request validation runs: qty below its minimum is refused",
    "the service's middleware runs: a recalled product is refused before the handler",
    "an auth-required endpoint refuses a call without auth data and accepts one with it",
    "a published message reaches its subscriber",
    "a service-to-service call can be replaced by a test double for one test",
    "file a sees only its own rows",
    "file b sees only its own rows",
  ])
    assert.match(pass.out, new RegExp(`^ok \\d+ - ${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`, "m"));
  assert.match(pass.out, /^# pass 9$/m);
  assert.ok(!existsSync(join(dir, ".reprise", "db")), "the dev database folder was created");

  // The failing variant: one assertion broken; a pattern selects the file; a JUnit report is written.
  const file = join(dir, "orders", "orders.test.ts");
  writeFileSync(file, readFileSync(file, "utf8").replace(`assert.equal(o.sku, "mug-1");`, `assert.equal(o.sku, "mug-2");`));
  const junit = join(dir, "report.xml");
  const fail = await reprise(t, dir, ["orders.test", "--junit", junit]);
  assert.equal(fail.code, 1, fail.out);
  assert.match(fail.out, /^not ok \d+ - an order placed through one endpoint is read back through another$/m);
  assert.match(fail.out, /expected: 'mug-2'/);
  assert.match(fail.out, /orders\/orders\.test\.ts:10:10/, "the failure points at the assertion's .ts line");
  assert.doesNotMatch(fail.out, /file a sees only its own rows/, "the pattern selects orders.test.ts only");
  const xml = readFileSync(junit, "utf8");
  assert.match(xml, /<testcase name="an order placed through one endpoint is read back through another"[^>]*>\s*<failure/);
  assert.match(xml, /<testcase name="a published message reaches its subscriber"[^>]*\/>/);
});

test("an app with vitest runs its suite under vitest, through the runtime, files isolated", { timeout: 300_000 }, async (t) => {
  const dir = copyFixture(t);
  // The app has vitest: the repository's (a devDependency), reached through the app's node_modules.
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "orders-app", private: true, type: "module" }));
  const tests = join(dir, "orders");
  for (const f of readdirSync(tests).filter((f) => f.endsWith(".test.ts"))) {
    const p = join(tests, f);
    writeFileSync(p, readFileSync(p, "utf8").replace(`from "node:test"`, `from "vitest"`));
  }
  const r = await reprise(t, dir, []);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /RUN\s+v3\./);
  assert.match(r.out, /Test Files\s+3 passed \(3\)/);
  assert.match(r.out, /Tests\s+9 passed \(9\)/);
});

test("an app whose module throws at load is reported once, before any test runs", { timeout: 120_000 }, async (t) => {
  const dir = copyFixture(t);
  const file = join(dir, "orders", "orders.ts");
  writeFileSync(file, readFileSync(file, "utf8") + `\nthrow new Error("configuration is unreadable");\n`);
  const r = await reprise(t, dir, []);
  assert.equal(r.code, 1, r.out);
  assert.equal(r.out.match(/the app failed to start/g)?.length, 1, r.out);
  assert.match(r.out, /configuration is unreadable/);
  assert.match(r.out, /orders\/orders\.ts:\d+/);
  assert.doesNotMatch(r.out, /^(not )?ok /m, "no test ran");
});

test("usage errors exit 2", async (t) => {
  const dir = copyFixture(t);
  const r = await reprise(t, dir, ["--junit"]);
  assert.equal(r.code, 2);
  assert.match(r.out, /--junit needs a file name/);
});
