// Runtime config validation (errors name the key, before anything starts), environments and $env: references,
// and secrets: resolved from REPRISE_SECRET_<Name> or the config; outside local development a missing one stops
// start-up naming it and its service (locally it reads as "").
import { test, afterEach, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startInfra, stopInfra, loadRuntimeConfig, secret } from "reprise/config";
import { model } from "./fixtures/sql-suite.mjs";

const root = mkdtempSync(join(tmpdir(), "reprise-cfg-"));
const cfg = join(root, "reprise.config.json");
afterEach(async () => {
  await stopInfra();
  delete process.env.REPRISE_ENV;
  delete process.env.REPRISE_SECRET_GitHubToken;
  delete process.env.STRIPE_TEST_KEY;
});
after(() => rmSync(root, { recursive: true, force: true }));

test("no config file: embedded defaults", () => {
  const c = loadRuntimeConfig(root);
  assert.equal(c.file, null);
  assert.equal(c.env, "local");
  assert.equal(c.pubsub.provider, "memory");
  assert.equal(c.buckets.provider, "filesystem");
  assert.equal(c.buckets.root, join(root, ".reprise", "buckets"));
  assert.equal(c.sql.dataDir, join(root, ".reprise", "db"));
});

test("invalid config is rejected before start-up, naming the key", async () => {
  writeFileSync(cfg, JSON.stringify({ pubsub: { provider: "nats", ulr: "nats://127.0.0.1:4222" } }));
  assert.throws(() => loadRuntimeConfig(root), (e) => e.code === "RP_CONFIG" && /`pubsub\.ulr`: unknown field/.test(e.message));
  await assert.rejects(startInfra({ appRoot: root }), (e) => e.code === "RP_CONFIG" && /pubsub\.ulr/.test(e.message));
  // Keys and types of every environment are checked, even when it is not selected...
  writeFileSync(cfg, JSON.stringify({ environments: { production: { sql: { sever: "postgres://db/x" } } } }));
  assert.throws(() => loadRuntimeConfig(root), /`environments\.production\.sql\.sever`: unknown field/);
  // ...and values once the environment is selected.
  writeFileSync(cfg, JSON.stringify({ environments: { production: { sql: { server: "mysql://db/x" } } } }));
  assert.equal(loadRuntimeConfig(root).env, "local");
  process.env.REPRISE_ENV = "production";
  assert.throws(() => loadRuntimeConfig(root), /`sql\.server`: `mysql:\/\/db\/x`: scheme must be one of postgres, postgresql/);
  delete process.env.REPRISE_ENV;
  writeFileSync(cfg, "{ \"sql\": ");
  assert.throws(() => loadRuntimeConfig(root), /not valid JSON \(line 1, column \d+\)/);
  rmSync(cfg);
});

test("environments, REPRISE_ENV and $env: references", () => {
  const other = join(root, "deploy.json");
  writeFileSync(other, JSON.stringify({ secrets: { Stripe: "sk_dev" }, environments: { production: { secrets: { Stripe: "$env:STRIPE_TEST_KEY" } } } }));
  assert.equal(loadRuntimeConfig(root, other).secrets.Stripe, "sk_dev");
  process.env.REPRISE_ENV = "production";
  assert.throws(() => loadRuntimeConfig(root, other), /`secrets\.Stripe` references \$env:STRIPE_TEST_KEY, but the environment variable STRIPE_TEST_KEY is not set/);
  process.env.STRIPE_TEST_KEY = "sk_live_123";
  const c = loadRuntimeConfig(root, other);
  assert.equal(c.env, "production");
  assert.equal(c.secrets.Stripe, "sk_live_123");
  process.env.REPRISE_ENV = "staging";
  assert.throws(() => loadRuntimeConfig(root, other), /environment `staging` .* defined: production/);
});

const secretsModel = model({
  services: [{ name: "github", dir: "github", publishes: [] }],
  secrets: [{ name: "GitHubToken", service: "github" }],
});

test("outside local development a missing secret stops start-up naming it and its service", async () => {
  process.env.REPRISE_ENV = "production";
  await assert.rejects(startInfra({ appRoot: root, model: secretsModel }), (e) => {
    assert.equal(e.code, "RP_SECRET_MISSING");
    assert.match(e.message, /GitHubToken \(used by "github"\): set REPRISE_SECRET_GitHubToken=<value>/);
    return true;
  });
  assert.throws(() => secret("Unset")(), (e) => e.code === "RP_SECRET_MISSING" && /secret Unset is not set/.test(e.message));
});

test("in local development a missing secret reads as an empty string", async () => {
  const token = secret("GitHubToken");
  await startInfra({ appRoot: root, model: secretsModel });
  assert.equal(token(), "");
});

test("secrets resolve from REPRISE_SECRET_<Name> or the config's secrets", async () => {
  const token = secret("GitHubToken");
  process.env.REPRISE_SECRET_GitHubToken = "from-env";
  await startInfra({ appRoot: root, model: secretsModel });
  assert.equal(token(), "from-env");
  await stopInfra();
  delete process.env.REPRISE_SECRET_GitHubToken;
  writeFileSync(cfg, JSON.stringify({ secrets: { GitHubToken: "from-config" } }));
  await startInfra({ appRoot: root, model: secretsModel });
  assert.equal(token(), "from-config");
  assert.equal(secret("Unset")(), "");
  rmSync(cfg);
});
