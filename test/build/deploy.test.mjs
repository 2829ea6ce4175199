// Two replicas of one `reprise build` folder, each copied to its own temp directory (as on two machines, nothing of
// the repository reachable) and started with `node main.mjs --config <shared file>` against one real PostgreSQL and
// one NATS JetStream server: both serve (rows written through one are read through the other, static assets,
// secrets from the environment), each message published through either is handled exactly once across both, each
// tick of a once-a-minute cron job runs on exactly one replica, and SIGTERM lets an in-flight request finish
// (200) while the other replica keeps serving.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildApp, copyBuild, deployApp, startBuilt } from "./helpers.mjs";
import { startPostgres, startNats, waitFor } from "../infra/fixtures/services.mjs";

const work = mkdtempSync(join(tmpdir(), "reprise-deploy-"));
const configFile = join(work, "prod.config.json");
let pg, nats, build;

before(async () => {
  [pg, nats] = await Promise.all([startPostgres(), startNats()]);
  // The secrets come from the environment; the rest from the config file's "production" environment.
  writeFileSync(configFile, JSON.stringify({ environments: { production: { sql: { server: pg.url }, pubsub: { provider: "nats", url: nats.url, streamPrefix: "deploy" } } } }));
  build = buildApp(deployApp).out;
});
after(async () => {
  await nats?.stop();
  await pg?.stop();
  rmSync(work, { recursive: true, force: true });
  if (build) rmSync(join(build, ".."), { recursive: true, force: true });
});

function startReplica(t, name) {
  const dir = copyBuild(build, name);
  t.after(() => rmSync(join(dir, ".."), { recursive: true, force: true }));
  return startBuilt(t, dir, {
    args: ["--config", configFile],
    env: { REPLICA_NAME: name, REPRISE_SECRET_ApiKey: "prod-key-123", REPRISE_SECRET_SigningKey: "s1", REPRISE_LOG_LEVEL: "info" },
    timeoutMs: 90_000,
  }).then((app) => Object.assign(app, { name }));
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

test("two replicas of the built folder share PostgreSQL and NATS", { timeout: 240_000 }, async (t) => {
  // Started together: the migration advisory lock makes them apply 1_init once.
  const [a, b] = await Promise.all([startReplica(t, "a"), startReplica(t, "b")]);

  await t.test("both serve: rows, static assets, secrets from the environment", async () => {
    await call(a, "POST", "/items", { name: "written-via-a" });
    await call(b, "POST", "/items", { name: "written-via-b" });
    const expected = [{ name: "written-via-a", via: "a" }, { name: "written-via-b", via: "b" }];
    assert.deepEqual((await call(b, "GET", "/items")).items, expected);
    assert.deepEqual((await call(a, "GET", "/items")).items, expected);
    assert.deepEqual(await call(b, "GET", "/whoami"), { replica: "b", label: "replica-b", keyLength: 12, signingKeyLength: 2 });
    const page = await fetch(`${a.url}/static/`);
    assert.equal(page.status, 200);
    assert.equal(await page.text(), "<h1>deploy static</h1>\n");
    const missing = await fetch(`${a.url}/static/nope.txt`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), "<h1>not here</h1>\n");
  });

  await t.test("a message published through either replica is handled exactly once across both", async () => {
    const N = 30;
    const ids = new Set();
    for (let n = 0; n < N; n++) ids.add((await call(n % 2 ? b : a, "POST", "/publish", { n })).id);
    assert.equal(ids.size, N);
    const rows = await waitFor("all messages handled", async () => {
      const { rows } = await call(b, "GET", "/handled");
      return rows.length >= N && rows;
    }, 60_000);
    assert.deepEqual(rows.map((r) => r.msg), Array.from({ length: N }, (_, i) => i), "every message handled exactly once");
    assert.ok(rows.every((r) => r.attempt === 1), "no message needed a second delivery");
  });

  await t.test("each scheduled cron tick runs on exactly one replica", async () => {
    const tick = await waitFor("both replicas to decide a cron tick", () => {
      const [da, db] = [tickDecisions(a), tickDecisions(b)];
      return [...da.keys()].find((k) => db.has(k));
    }, 75_000);
    const decisions = [tickDecisions(a).get(tick), tickDecisions(b).get(tick)];
    assert.deepEqual([...decisions].sort(), ["lost", "won"], `one replica won tick ${tick} (a: ${decisions[0]}, b: ${decisions[1]})`);
    const start = Date.parse(tick);
    const runs = await waitFor("the tick's run to be recorded", async () => {
      const got = (await call(a, "GET", "/cron-runs")).runs.filter((r) => Date.parse(r.at) >= start && Date.parse(r.at) < start + 30_000);
      return got.length > 0 && got;
    }, 20_000);
    assert.equal(runs.length, 1, `tick ${tick} ran once: ${JSON.stringify(runs)}`);
    assert.equal(runs[0].replica, decisions[0] === "won" ? "a" : "b");
  });

  await t.test("SIGTERM drains an in-flight request; the other replica keeps serving", async () => {
    const inFlight = fetch(`${a.url}/slow?ms=1500`).then(async (r) => ({ status: r.status, body: await r.json() }));
    await waitFor("the slow request to be inside its handler", async () => (await call(a, "GET", "/slow/started")).started >= 1, 10_000);
    a.proc.kill("SIGTERM");
    const done = await inFlight;
    assert.deepEqual(done, { status: 200, body: { replica: "a", waited: 1500 } });
    assert.equal((await a.exited).code, 0);
    assert.match(a.stdout, /SIGTERM: shutting down/);
    await assert.rejects(fetch(`${a.url}/items`), "a stopped replica no longer accepts connections");
    assert.equal((await call(b, "GET", "/items")).items.length, 2);
    b.proc.kill("SIGTERM");
    assert.equal((await b.exited).code, 0);
  });
});
