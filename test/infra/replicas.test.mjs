// Beyond one machine: two replicas of one app on loopback sharing one PostgreSQL and one NATS server. Data
// written through either replica is read through the other; each message is handled exactly once across both.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres, startNats, waitFor } from "./fixtures/services.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), "reprise-replicas-"));
let pg, nats;
const replicas = [];

function startReplica(name) {
  const child = spawn(process.execPath, [join(here, "fixtures", "replica.mjs"), root, name], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  const r = { child, name, port: 0, exited: new Promise((res) => child.on("exit", res)) };
  replicas.push(r);
  return waitFor(`replica ${name} listening`, () => {
    const m = /listening (\d+)/.exec(out);
    if (m) r.port = Number(m[1]);
    return m && r;
  }, 60_000);
}

before(async () => {
  [pg, nats] = await Promise.all([startPostgres(), startNats()]);
  mkdirSync(join(root, "migrations"));
  writeFileSync(join(root, "migrations", "1_init.up.sql"), "CREATE TABLE items (name text PRIMARY KEY, via text NOT NULL);\nCREATE TABLE handled (msg int NOT NULL, replica text NOT NULL, attempt int NOT NULL);\n");
  writeFileSync(join(root, "reprise.config.json"), JSON.stringify({ sql: { server: pg.url }, pubsub: { provider: "nats", url: nats.url, streamPrefix: "replicas" } }));
});
after(async () => {
  for (const r of replicas) r.child.kill("SIGKILL");
  await Promise.all(replicas.map((r) => r.exited));
  await nats?.stop();
  await pg?.stop();
  rmSync(root, { recursive: true, force: true });
});

const call = async (r, method, path) => {
  const res = await fetch(`http://127.0.0.1:${r.port}${path}`, { method });
  assert.equal(res.status, 200, `${method} ${path} on ${r.name}: ${await res.clone().text()}`);
  return res.json();
};

test("two replicas share PostgreSQL and NATS", { timeout: 120_000 }, async () => {
  // Started together: the migration advisory lock makes them apply 1_init once.
  const [a, b] = await Promise.all([startReplica("a"), startReplica("b")]);

  await call(a, "POST", "/items?name=written-via-a");
  await call(b, "POST", "/items?name=written-via-b");
  assert.deepEqual(await call(b, "GET", "/items"), [{ name: "written-via-a", via: "a" }, { name: "written-via-b", via: "b" }]);
  assert.deepEqual(await call(a, "GET", "/items"), await call(b, "GET", "/items"));

  const N = 40;
  const ids = new Set();
  for (let n = 0; n < N; n++) ids.add((await call(n % 2 ? b : a, "POST", `/publish?n=${n}`)).id);
  assert.equal(ids.size, N);

  const { SQLDatabase } = await import("reprise/storage/sqldb");
  const { startInfra } = await import("reprise/config");
  await startInfra({ appRoot: root });
  const db = SQLDatabase.named("shared");
  const rows = await waitFor("all messages handled", async () => {
    const r = await db.queryAll`SELECT msg, replica, attempt FROM handled ORDER BY msg`;
    return r.length >= N && r;
  }, 60_000);
  assert.deepEqual(rows.map((r) => r.msg), Array.from({ length: N }, (_, i) => i), "every message handled exactly once across both replicas");
  assert.ok(rows.every((r) => r.attempt === 1), "no message needed a second delivery");
  const byA = rows.filter((r) => r.replica === "a").length;
  assert.ok(byA > 0 && byA < N, `both replicas took messages from the shared durable consumer (a: ${byA}, b: ${N - byA})`);
  const { stopInfra } = await import("reprise/config");
  await stopInfra();
});
