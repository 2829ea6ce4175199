// `reprise build` without external servers: what the folder holds (and never holds), the Docker files, the
// refusals (other targets, error diagnostics, a foreign --out folder), a copy of the folder started from a temp
// directory (catalog fixture: no infrastructure) answering real requests, and the production start-up check
// naming every missing database URL, broker and secret at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { buildApp, copyBuild, deployApp, reprise, root, startBuilt } from "./helpers.mjs";

function files(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

test("the folder: bundle, model, SDK with this platform's addon, migrations, static assets, pinned package.json, Docker files", () => {
  const { out, stdout } = buildApp(deployApp, ["--docker"]);
  const all = files(out);
  const own = all.filter((f) => !f.startsWith("node_modules/"));
  assert.deepEqual(own, [
    ".dockerignore",
    "Dockerfile",
    "app/app.mjs",
    "app/app.mjs.map",
    "app/model.json",
    "app/shared/migrations/1_init.up.sql",
    "app/web/public/404.html",
    "app/web/public/index.html",
    "main.mjs",
    "package.json",
    "reprise-build.json",
  ]);
  // Never tests, local secrets, dev databases or .reprise/.
  assert.ok(!all.some((f) => /\.test\.|\.secrets\.local|\.reprise\//.test(f)), all.filter((f) => /\.test\.|\.secrets|\.reprise/.test(f)).join(", "));
  const bundle = readFileSync(join(out, "app", "app.mjs"), "utf8");
  assert.ok(!bundle.includes("this-is-a-test-file"));
  assert.ok(bundle.split("\n").length < 10, "minified");
  assert.match(bundle, /\/\/# sourceMappingURL=app\.mjs\.map/);
  assert.ok(bundle.includes("replica-"), "the app's own helper module is bundled");
  assert.ok(!/from"\/|from "\//.test(bundle), "no absolute import paths (nothing of the build machine is referenced)");
  const map = JSON.parse(readFileSync(join(out, "app", "app.mjs.map"), "utf8"));
  assert.ok(map.sources.some((s) => s.endsWith("shared/shared.ts")));
  // Only this platform's addon.
  const addons = all.filter((f) => f.endsWith(".node"));
  assert.deepEqual(addons, [`node_modules/reprise/native/reprise.${process.platform}-${process.arch}${process.platform === "linux" ? "-gnu" : ""}.node`]);
  assert.ok(!all.some((f) => f.startsWith("node_modules/@electric-sql/")), "no PGlite unless --embedded-databases");
  const pkg = JSON.parse(readFileSync(join(out, "package.json"), "utf8"));
  assert.equal(pkg.version, "2.3.4");
  assert.equal(pkg.scripts.start, "node main.mjs");
  assert.ok(pkg.dependencies.reprise && pkg.dependencies.pg, JSON.stringify(pkg.dependencies));
  for (const [name, v] of Object.entries(pkg.dependencies)) {
    assert.match(v, /^\d+\.\d+\.\d+(-[\w.]+)?$/, `${name} is pinned`);
    assert.equal(JSON.parse(readFileSync(join(out, "node_modules", name, "package.json"), "utf8")).version, v, `${name} in node_modules is the pinned version`);
  }
  const dockerfile = readFileSync(join(out, "Dockerfile"), "utf8");
  assert.match(dockerfile, /^FROM node:20-slim$/m);
  assert.match(dockerfile, /^USER node$/m);
  assert.match(dockerfile, /^HEALTHCHECK .*\n.*\/__reprise\/healthz/m);
  assert.match(dockerfile, /^CMD \["node", "main\.mjs"\]$/m);
  assert.match(readFileSync(join(out, ".dockerignore"), "utf8"), /^Dockerfile$/m);
  const bytes = all.reduce((n, f) => n + statSync(join(out, f)).size, 0);
  assert.ok(bytes < 40 * 1024 * 1024, `${(bytes / 1048576).toFixed(1)} MB is within the 40 MB goal`);
  assert.match(stdout, /Built 'deploy' into .* MB/);
  // A second build into the same folder replaces the first.
  const again = reprise(["build", deployApp, "--out", out]);
  assert.equal(again.status, 0, again.stderr);
  assert.ok(!existsSync(join(out, "Dockerfile")), "the earlier build was replaced");
  rmSync(join(out, ".."), { recursive: true, force: true });
});

test("refusals: another target, error diagnostics, a folder that is not a build", () => {
  const arm = reprise(["build", deployApp, "--target", process.arch === "arm64" ? "linux-x64" : "linux-arm64", "--out", join(tmpdir(), "never")]);
  assert.equal(arm.status, 2);
  assert.match(arm.stderr, /cannot build for linux-(arm64|x64) here/);
  assert.match(arm.stderr, /rustup target add (aarch64|x86_64)-unknown-linux-gnu/);
  assert.equal(reprise(["build", deployApp, "--target", "plan9-mips"]).status, 2);

  const broken = mkdtempSync(join(tmpdir(), "reprise-build-broken-"));
  writeFileSync(join(broken, "reprise.app"), '{ "id": "broken" }');
  writeFileSync(join(broken, "api.ts"), 'import { api } from "reprise/api";\nexport const a = api({ path: "no-slash", expose: true, method: "GET" }, async () => {});\n');
  const bad = reprise(["build", broken]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /RP2001/);
  assert.ok(!existsSync(join(broken, "build")), "nothing written");

  const foreign = mkdtempSync(join(tmpdir(), "reprise-build-foreign-"));
  writeFileSync(join(foreign, "keep.txt"), "mine");
  const refused = reprise(["build", deployApp, "--out", foreign]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /not empty and is not an earlier build/);
  assert.equal(readFileSync(join(foreign, "keep.txt"), "utf8"), "mine");
  const into = reprise(["build", deployApp, "--out", join(root, "test", "build")]);
  assert.equal(into.status, 2, "a folder containing the app is refused");
  for (const d of [broken, foreign]) rmSync(d, { recursive: true, force: true });
});

test("a copy in a fresh folder serves with no npm install; production start-up names every missing piece", async (t) => {
  const { out } = buildApp(join(root, "test", "client", "fixtures", "catalog"));
  assert.ok(!existsSync(join(out, "node_modules", "pg")), "an app without databases gets no PostgreSQL driver");
  assert.ok(!existsSync(join(out, "node_modules", "@redis")), "an app without a cache cluster gets no Redis client");
  const dir = copyBuild(out, "catalog");
  t.after(() => rmSync(join(dir, ".."), { recursive: true, force: true }));
  const app = await startBuilt(t, dir, { env: { PORT: "1" } /* --port 0 wins over PORT */ });
  const created = await fetch(`${app.url}/profiles`, { method: "POST", body: JSON.stringify({ name: "Ada", visibility: "public", createdAt: "2024-01-02T03:04:05Z" }) });
  assert.equal(created.status, 200, await created.clone().text());
  assert.equal((await created.json()).profile.name, "Ada");
  const invalid = await fetch(`${app.url}/profiles`, { method: "POST", body: JSON.stringify({ name: "A", visibility: "public", createdAt: "2024-01-02T03:04:05Z" }) });
  assert.equal(invalid.status, 400);
  assert.equal((await fetch(`${app.url}/profiles/99`)).status, 404);
  assert.equal((await fetch(`${app.url}/__reprise/healthz`)).status, 200);
  assert.equal((await fetch(`${app.url}/__reprise/traces`)).status, 401, "the tool routes stay closed (no token is written anywhere)");
  app.proc.kill("SIGTERM");
  assert.equal((await app.exited).code, 0);

  const deploy = copyBuild(buildApp(deployApp).out, "deploy");
  t.after(() => rmSync(join(deploy, ".."), { recursive: true, force: true }));
  const refused = await startBuilt(t, deploy, { env: { REPRISE_SECRET_SigningKey: "s" } }).then(
    () => assert.fail("started without its infrastructure"),
    (e) => e,
  );
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /RP_DEPLOY_CONFIG: cannot start in environment "production": 3 things missing/);
  assert.match(refused.stderr, /database "shared": no PostgreSQL URL/);
  assert.match(refused.stderr, /pub\/sub broker for topic "numbers"/);
  assert.match(refused.stderr, /secret "ApiKey"/);
  assert.doesNotMatch(refused.stderr, /secret "SigningKey"/, "a secret set in the environment is not missing");
  // With a config file that has the database and broker but not the secret, only the secret is named.
  const cfg = join(deploy, "..", "prod.config.json");
  writeFileSync(cfg, JSON.stringify({ sql: { server: "postgres://nobody@127.0.0.1:1/x" }, pubsub: { provider: "nats", url: "nats://127.0.0.1:1" }, secrets: { SigningKey: "k" } }));
  const onlySecret = await startBuilt(t, deploy, { args: ["--config", cfg] }).then(
    () => assert.fail("started without its secret"),
    (e) => e,
  );
  assert.match(onlySecret.stderr, /1 thing missing\n {2}- secret "ApiKey" \(used by "shared"\)/);
  const usage = await startBuilt(t, deploy, { args: ["--bogus"] }).then(() => assert.fail("accepted --bogus"), (e) => e);
  assert.equal(usage.code, 2);
});

test("the production check (missingDeploymentConfig): every missing piece, explicit providers accepted, local exempt", async () => {
  const { missingDeploymentConfig } = await import("../../runtime/sdk/dist/src/config/deploy.js");
  const model = { app: { databases: [{ name: "orders" }, { name: "users" }], topics: [{ name: "signups" }], buckets: [{ name: "avatars" }], secrets: [{ name: "Stripe", service: "billing" }, { name: "Stripe", service: "shop" }, { name: "Mail", service: null }] } };
  const base = { env: "production", file: null, appRoot: "/x", sql: { server: null, dataDir: ".reprise/db", maxConnections: 10, databases: {} }, pubsub: { provider: "memory", url: null, streamPrefix: "reprise" }, buckets: { provider: "filesystem", root: ".reprise/buckets", publicBaseUrl: null, bucketPrefix: "" }, secrets: {}, tracing: { exporter: "none", endpoint: null, sampleRate: 1 } };
  const all = missingDeploymentConfig(model, base, {});
  assert.deepEqual(all.map((l) => l.split(":")[0]), ['database "orders"', 'database "users"', 'pub/sub broker for topic "signups"', 'bucket storage for bucket "avatars"', 'secret "Stripe" (used by "billing")', 'secret "Mail"']);
  assert.deepEqual(missingDeploymentConfig(model, { ...base, env: "local" }, {}), [], "local development is exempt");
  // One database by its own URL, the other still missing; a secret from the environment, the other from the file.
  const some = missingDeploymentConfig(model, { ...base, sql: { ...base.sql, databases: { orders: { connectionString: "postgres://h/orders", maxConnections: 5 } } }, secrets: { Mail: "m" } }, { REPRISE_SECRET_Stripe: "s" });
  assert.deepEqual(some.map((l) => l.split(":")[0]), ['database "users"', 'pub/sub broker for topic "signups"', 'bucket storage for bucket "avatars"']);
  // Providers the config file names itself (here the in-process broker and a filesystem root, for one replica) are a choice, not a fallback.
  const dir = mkdtempSync(join(tmpdir(), "reprise-deploy-check-"));
  const file = join(dir, "prod.json");
  writeFileSync(file, JSON.stringify({ buckets: { provider: "filesystem", root: "/data/buckets" }, environments: { production: { pubsub: { provider: "memory" } } } }));
  const chosen = missingDeploymentConfig(model, { ...base, file, sql: { ...base.sql, server: "postgres://h" } }, { REPRISE_SECRET_Stripe: "s", REPRISE_SECRET_Mail: "m" });
  assert.deepEqual(chosen, []);
  rmSync(dir, { recursive: true, force: true });
});
