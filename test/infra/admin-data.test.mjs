// The admin API's data routes (docs/admin-api.md) over real HTTP against `reprise run` with the embedded engines:
// PGlite, the folder bucket provider, in-process pub/sub (the checks: fixtures/admin-data-suite.mjs).
import { test } from "node:test";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startApp } from "../http/helpers.mjs";
import { adminDataSuite } from "./fixtures/admin-data-suite.mjs";

test("admin data routes under reprise run (embedded engines)", { timeout: 180_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), "reprise-admin-data-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, "app");
  cpSync(join(root, "test", "infra", "fixtures", "admin-data-app"), dir, { recursive: true });
  const app = await startApp(t, dir);
  await adminDataSuite(t, app, dir, { engine: "pglite", provider: "memory" });
});
