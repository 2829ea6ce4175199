// encore.dev/storage/cache on Redis (`cache.provider: "redis"` in the runtime config) against a real Debian
// redis-server on loopback: the same keyspace cases as the in-process store (fixtures/cache-cases.mjs), with each
// key's expiry read back from Redis itself (PTTL) and the configured key prefix checked there; and a clear
// CacheError when the server is unreachable. Needs redis-server (scripts/ci-deps.d/redis.sh).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@redis/client";
import { stopInfra } from "reprise/config";
import { CacheCluster, CacheError, StringKeyspace } from "reprise/storage/cache";
import { cacheCases, checkCacheApp } from "./fixtures/cache-cases.mjs";
import { freePort, startRedis } from "./fixtures/services.mjs";
import { root as repoRoot, startApp } from "../http/helpers.mjs";

const root = mkdtempSync(join(tmpdir(), "reprise-cache-redis-"));
const redis = await startRedis();
const deadPort = await freePort();
writeFileSync(
  join(root, "reprise.config.json"),
  JSON.stringify({ cache: { provider: "redis", url: redis.url, keyPrefix: "app1:", clusters: { dead: { url: `redis://127.0.0.1:${deadPort}` } } } }),
);
process.env.REPRISE_APP_ROOT = root;
const raw = createClient({ url: redis.url });
raw.on("error", () => {});
await raw.connect();
after(async () => {
  await raw.close();
  await stopInfra();
  await redis.stop();
  rmSync(root, { recursive: true, force: true });
});

test("cache keyspaces on redis-server", async (t) => {
  const inspect = { ttl: (key) => raw.sendCommand(["PTTL", `app1:${key}`]) };
  await cacheCases(t, new CacheCluster("redis-cluster"), inspect);
  // Every key lives under the prefix in Redis.
  const keys = await raw.sendCommand(["KEYS", "*"]);
  assert.ok(keys.length > 10 && keys.every((k) => k.startsWith("app1:")), JSON.stringify(keys.slice(0, 5)));
  assert.equal(await raw.sendCommand(["GET", "app1:name/7"]), "héllo\u0000!");
});

test("an unreachable Redis fails the operation with a CacheError naming the cluster and URL", async () => {
  const ks = new StringKeyspace(new CacheCluster("dead"), { keyPattern: "k/:id" });
  await assert.rejects(ks.get(1), (e) => e instanceof CacheError && e.message.includes('cache cluster "dead"') && e.message.includes(`127.0.0.1:${deadPort}`));
});

test("reprise run --config: an Encore app's cache lives in Redis", { timeout: 90_000 }, async (t) => {
  const configFile = join(root, "app.config.json");
  writeFileSync(configFile, JSON.stringify({ cache: { provider: "redis", url: "$env:TEST_REDIS_URL", clusters: { visits: { keyPrefix: "visits:" } } } }));
  const app = await startApp(t, join(repoRoot, "test", "infra", "fixtures", "cache-app"), { args: ["--config", configFile], env: { TEST_REDIS_URL: redis.url } });
  await checkCacheApp(app);
  assert.equal(await raw.sendCommand(["GET", "visits:count/home"]), "2");
  const ttl = await raw.sendCommand(["PTTL", "visits:count/home"]);
  assert.ok(ttl > 290_000 && ttl <= 300_000, `defaultExpiry of 5 minutes: ${ttl}`);
  assert.deepEqual(await raw.sendCommand(["LRANGE", "visits:recent/all", "0", "-1"]), ["blog", "about", "home"]);
});
