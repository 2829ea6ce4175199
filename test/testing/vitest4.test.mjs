// `reprise test` on an app whose vitest is 4.x (installed by scripts/ci-deps.d/vitest4.sh into the user's cache; the
// repository's own vitest is 3): the runtime's config merges with the app's own `vitest.config.mjs` (a function
// returning `test.env`), `--name` selects tests through vitest's -t, and a selected test writes and reads its own
// in-memory database through the runtime.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { vitest4Dir } from "../../scripts/test-deps.mjs";
import { copyFixture, reprise } from "./helpers.mjs";

test("vitest 4: the app's config is merged, --name selects tests, and the selected test runs through the runtime", { timeout: 300_000 }, async (t) => {
  const dir = copyFixture(t);
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(join(vitest4Dir(), "node_modules", "vitest"), join(dir, "node_modules", "vitest"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "orders-app", private: true, type: "module" }));
  writeFileSync(join(dir, "vitest.config.mjs"), `export default () => ({ test: { env: { FROM_APP_CONFIG: "yes" } } });\n`);
  const tests = join(dir, "orders");
  for (const f of readdirSync(tests).filter((f) => f.endsWith(".test.ts"))) {
    const p = join(tests, f);
    writeFileSync(p, readFileSync(p, "utf8").replace(`from "node:test"`, `from "vitest"`));
  }
  writeFileSync(
    join(tests, "config.test.ts"),
    `import { test } from "vitest";\nimport assert from "node:assert/strict";\ntest("the app config's env is set", () => assert.equal(process.env.FROM_APP_CONFIG, "yes"));\n`,
  );
  const r = await reprise(t, dir, ["--name", "^(file a|the app config)"]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /RUN\s+v4\./);
  assert.match(r.out, /Tests\s+2 passed \| 8 skipped \(10\)/);
});
