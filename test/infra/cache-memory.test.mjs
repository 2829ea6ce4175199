// encore.dev/storage/cache on the default engine (the in-process store, no runtime config): the shared keyspace
// cases (fixtures/cache-cases.mjs, also run against a real redis-server by cache-redis.test.mjs), and an Encore
// app using the cache under `reprise run` with zero set-up.
import { test, after } from "node:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopInfra } from "reprise/config";
import { CacheCluster } from "reprise/storage/cache";
import { cacheCases, checkCacheApp } from "./fixtures/cache-cases.mjs";
import { root as repoRoot, startApp } from "../http/helpers.mjs";

const root = mkdtempSync(join(tmpdir(), "reprise-cache-"));
process.env.REPRISE_APP_ROOT = root;
after(async () => {
  await stopInfra();
  rmSync(root, { recursive: true, force: true });
});

test("cache keyspaces on the in-process store", async (t) => {
  await cacheCases(t, new CacheCluster("memory-cluster", { evictionPolicy: "allkeys-lru" }));
});

test("reprise run: an Encore app's cache works with no config (in-process store)", { timeout: 90_000 }, async (t) => {
  const app = await startApp(t, join(repoRoot, "test", "infra", "fixtures", "cache-app"));
  await checkCacheApp(app);
});
