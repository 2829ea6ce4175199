// The admin API's data routes against the servers a deployment uses, from the runtime config: PostgreSQL
// (`sql.server`), NATS JetStream (pub/sub, dead letters in their stream) and S3 (moto). The same checks as the
// embedded run (fixtures/admin-data-suite.mjs). Skipped when a server is not installed, except under CI=true.
import { test } from "node:test";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startApp } from "../http/helpers.mjs";
import { adminDataSuite } from "./fixtures/admin-data-suite.mjs";
import { startMoto, startNats, startPostgres, motoServerPath } from "./fixtures/services.mjs";
import { notInstalled } from "../../scripts/test-deps.mjs";

test("admin data routes under reprise run (PostgreSQL, NATS, S3)", { timeout: 240_000 }, async (t) => {
  const moto = await startMoto(["app-files"]);
  if (!moto) return t.skip(`${notInstalled("moto")}: no ${motoServerPath()}`);
  t.after(() => moto.stop());
  const [pg, nats] = await Promise.all([startPostgres(), startNats()]);
  t.after(() => Promise.all([pg.stop(), nats.stop()]));
  const base = mkdtempSync(join(tmpdir(), "reprise-admin-servers-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, "app");
  cpSync(join(root, "test", "infra", "fixtures", "admin-data-app"), dir, { recursive: true });
  const configFile = join(base, "servers.config.json");
  writeFileSync(
    configFile,
    JSON.stringify({
      sql: { server: pg.url },
      pubsub: { provider: "nats", url: nats.url, streamPrefix: "admin" },
      buckets: { provider: "s3", endpoint: moto.endpoint, region: "us-east-1", allowHttp: true, bucketPrefix: "app-", accessKeyId: "AKIDEXAMPLE", secretAccessKey: "not-checked-by-moto" },
    }),
  );
  const app = await startApp(t, dir, { args: ["--config", configFile], timeoutMs: 90_000 });
  await adminDataSuite(t, app, dir, { engine: "postgres", provider: "nats" });
});
