// Beyond one machine: two `reprise run` replicas of one app on loopback sharing one PostgreSQL and one NATS
// server through one runtime config file (`--config`). Rows written through either replica are read through the
// other over HTTP; each message published through either is handled exactly once across both; each scheduled
// tick of a once-a-minute cron job runs on exactly one replica (the tick claim in NATS JetStream).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startApp } from "../http/helpers.mjs";
import { startPostgres, startNats, waitFor } from "./fixtures/services.mjs";

const work = mkdtempSync(join(tmpdir(), "reprise-replicas-"));
const configFile = join(work, "shared.config.json");
let pg, nats;

before(async () => {
  [pg, nats] = await Promise.all([startPostgres(), startNats()]);
  writeFileSync(configFile, JSON.stringify({ sql: { server: pg.url }, pubsub: { provider: "nats", url: nats.url, streamPrefix: "replicas" } }));
});
after(async () => {
  await nats?.stop();
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Each replica runs from its own copy of the app, as on two machines; only the config file is shared. */
function startReplica(t, name) {
  const dir = join(work, `app-${name}`);
  cpSync(join(root, "test", "infra", "fixtures", "replica-app"), dir, { recursive: true });
  return startApp(t, dir, { args: ["--config", configFile], env: { REPLICA_NAME: name }, timeoutMs: 90_000 }).then((app) => Object.assign(app, { name }));
}

async function call(r, method, path, body) {
  const res = await fetch(`${r.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  assert.equal(res.status, 200, `${method} ${path} on ${r.name}: ${text}`);
  return JSON.parse(text);
}

/** The cron decisions a replica logged (JSON lines on stderr): tick → "won" | "lost". */
function tickDecisions(r) {
  const out = new Map();
  for (const line of r.stderr.split("\n")) {
    if (!line.startsWith("{") || !line.includes('"job":"beat"')) continue;
    const e = JSON.parse(line);
    if (e.message === "cron: tick claimed") out.set(e.tick, "won");
    else if (e.message === "cron: tick claimed by another replica") out.set(e.tick, "lost");
  }
  return out;
}

test("two reprise run replicas share PostgreSQL and NATS", { timeout: 240_000 }, async (t) => {
  // Started together: the migration advisory lock makes them apply 1_init once.
  const [a, b] = await Promise.all([startReplica(t, "a"), startReplica(t, "b")]);

  await t.test("a row written through one replica is read through the other", async () => {
    await call(a, "POST", "/items", { name: "written-via-a" });
    await call(b, "POST", "/items", { name: "written-via-b" });
    const expected = [{ name: "written-via-a", via: "a" }, { name: "written-via-b", via: "b" }];
    assert.deepEqual((await call(b, "GET", "/items")).items, expected);
    assert.deepEqual((await call(a, "GET", "/items")).items, expected);
  });

  await t.test("a message published through either replica is handled exactly once across both", async () => {
    const N = 40;
    const ids = new Set();
    for (let n = 0; n < N; n++) ids.add((await call(n % 2 ? b : a, "POST", "/publish", { n })).id);
    assert.equal(ids.size, N, "every publish got its own message id");
    const rows = await waitFor("all messages handled", async () => {
      const { rows } = await call(b, "GET", "/handled");
      return rows.length >= N && rows;
    }, 60_000);
    assert.deepEqual(rows.map((r) => r.msg), Array.from({ length: N }, (_, i) => i), "every message handled exactly once across both replicas");
    assert.ok(rows.every((r) => r.attempt === 1), "no message needed a second delivery");
    const byA = rows.filter((r) => r.replica === "a").length;
    assert.ok(byA > 0 && byA < N, `both replicas took messages from the shared durable consumer (a: ${byA}, b: ${N - byA})`);
  });

  await t.test("each scheduled cron tick runs on exactly one replica", async () => {
    // `every: "1m"` ticks on the minute on both replicas; wait until both have decided one tick. Two minute
    // boundaries' worth: a replica that is busy at the first boundary under a loaded CI run may not log its decision
    // for that tick in time (the check is that a tick is decided once, not how soon).
    const tick = await waitFor("both replicas to decide a cron tick", () => {
      const [da, db] = [tickDecisions(a), tickDecisions(b)];
      return [...da.keys()].find((k) => db.has(k));
    }, 135_000);
    const decisions = [tickDecisions(a).get(tick), tickDecisions(b).get(tick)];
    assert.deepEqual([...decisions].sort(), ["lost", "won"], `one replica won tick ${tick}, the other left it (a: ${decisions[0]}, b: ${decisions[1]})`);
    const winner = decisions[0] === "won" ? "a" : "b";
    const start = Date.parse(tick);
    const inTick = (runs) => runs.filter((r) => Date.parse(r.at) >= start && Date.parse(r.at) < start + 30_000);
    const runs = await waitFor("the tick's run to be recorded", async () => {
      const got = inTick((await call(a, "GET", "/cron-runs")).runs);
      return got.length > 0 && got;
    }, 20_000);
    assert.equal(runs.length, 1, `tick ${tick} ran once: ${JSON.stringify(runs)}`);
    assert.equal(runs[0].replica, winner);
  });

  for (const r of [a, b]) r.proc.kill("SIGTERM");
  assert.deepEqual((await Promise.all([a.exited, b.exited])).map((e) => e.code), [0, 0]);
});
