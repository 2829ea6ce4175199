// The cached initialised PGlite cluster (runtime/sdk/src/internal/pglite-template.ts): threads that seed new
// databases at the same time build the template once under the lock, each gets a working cluster, nothing is
// left behind; a lock whose owner died is taken over.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";

const seedInWorker = (cache, dataDir) =>
  new Promise((resolve, reject) => {
    const w = new Worker(
      `const { workerData, parentPort } = require("node:worker_threads");
       process.env.REPRISE_CACHE_DIR = workerData.cache;
       import("reprise/internal/pglite-template").then((m) => m.seedDataDir(workerData.dataDir)).then((ok) => parentPort.postMessage(ok), (e) => parentPort.postMessage(String(e)));`,
      { eval: true, workerData: { cache, dataDir } },
    );
    w.once("message", resolve);
    w.once("error", reject);
  });

test("concurrent seeding builds one template and gives each database a working cluster", { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-pglite-template-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cache = join(dir, "cache");
  // A lock left by a process that died (its pid no longer runs) must not block the build.
  const dead = spawnSync(process.execPath, ["-e", "0"]).pid;
  const { pgliteTemplateDir } = await import("reprise/internal/pglite-template");
  const template = pgliteTemplateDir({ REPRISE_CACHE_DIR: cache });
  mkdirSync(`${template}.lock`, { recursive: true });
  writeFileSync(join(`${template}.lock`, "pid"), String(dead));

  const [a, b] = await Promise.all([seedInWorker(cache, join(dir, "db", "a")), seedInWorker(cache, join(dir, "db", "b"))]);
  assert.equal(a, true);
  assert.equal(b, true);
  assert.ok(existsSync(join(template, "PG_VERSION")), "the template is an initialised cluster");
  assert.deepEqual(readdirSync(cache).sort(), [template.slice(cache.length + 1)], "no lock or half-built copy left in the cache");
  for (const name of ["a", "b"]) assert.ok(existsSync(join(dir, "db", name, "PG_VERSION")), `database ${name} was seeded`);

  const { PGlite } = await import("@electric-sql/pglite");
  const db = new PGlite(join(dir, "db", "a"));
  await db.exec("CREATE TABLE t (x int); INSERT INTO t VALUES (7);");
  assert.deepEqual((await db.query("SELECT x FROM t")).rows, [{ x: 7 }]);
  await db.close();
});
