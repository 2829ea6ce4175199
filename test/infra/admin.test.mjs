// The loopback admin routes of a real `reprise run` (runtime/src/admin.rs): list cron jobs, run one now through the
// scheduler (an `expose: false` endpoint, the overlap rule, an endpoint's own error), publish a validated message
// to a topic. The gate for non-loopback peers is unit-tested in Rust (`cargo test -p reprise-runtime admin`).
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { root, startApp, json } from "../http/helpers.mjs";

const appDir = join(root, "test", "infra", "fixtures", "admin-app");

async function poll(fn, what, deadlineMs = 10_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("admin routes under reprise run", { timeout: 120_000 }, async (t) => {
  const app = await startApp(t, appDir);
  const admin = (path, init) => fetch(`${app.url}/__reprise/admin${path}`, init);
  const post = (path, body) => admin(path, { method: "POST", body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
  const state = async () => json(await fetch(`${app.url}/state`));

  await t.test("GET cron lists the model's jobs with their schedule and state", async () => {
    const res = await admin("/cron");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type"), /application\/json/);
    const { jobs } = await res.json();
    const byName = Object.fromEntries(jobs.map((j) => [j.name, j]));
    assert.deepEqual(Object.keys(byName).sort(), ["count-ticks", "failing-job", "slow-job"]);
    const tick = byName["count-ticks"];
    assert.equal(tick.title, "Count ticks");
    assert.deepEqual(tick.endpoint, { service: "jobs", name: "tick" });
    assert.equal(tick.every, "24h");
    assert.equal("schedule" in tick, false);
    assert.equal(tick.running, false);
    assert.equal(byName["slow-job"].schedule, "0 3 * * *");
    assert.equal("every" in byName["slow-job"], false);
  });

  await t.test("running a job calls its expose:false endpoint in-process and answers when it finished", async () => {
    assert.equal((await fetch(`${app.url}/internal/tick`, { method: "POST" })).status, 404, "the endpoint is not routable from outside");
    const before = (await state()).ticks;
    const res = await post("/cron/count-ticks/run");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.job, "count-ticks");
    assert.deepEqual(body.endpoint, { service: "jobs", name: "tick" });
    assert.equal(typeof body.durationMs, "number");
    assert.equal((await state()).ticks, before + 1, "the run finished before the answer");
  });

  await t.test("a run in progress makes another run answer 409 aborted", async () => {
    const first = post("/cron/slow-job/run");
    await poll(async () => (await state()).slowRunning, "the slow job to start");
    const listed = (await (await admin("/cron")).json()).jobs.find((j) => j.name === "slow-job");
    assert.equal(listed.running, true);
    const second = await post("/cron/slow-job/run");
    assert.equal(second.status, 409);
    assert.deepEqual(await second.json(), { code: "aborted", message: "cron job slow-job is already running", details: null });
    assert.equal((await fetch(`${app.url}/release`, { method: "POST" })).status, 200);
    const done = await first;
    assert.equal(done.status, 200);
    assert.equal((await done.json()).job, "slow-job");
  });

  await t.test("an endpoint's error comes back with its status and error body", async () => {
    const res = await post("/cron/failing-job/run");
    assert.equal(res.status, 403);
    const body = await res.json();
    assert.equal(body.code, "permission_denied");
    assert.equal(body.message, "the failing job always fails");
  });

  await t.test("unknown jobs and topics are 404 not_found", async () => {
    const job = await post("/cron/nope/run");
    assert.equal(job.status, 404);
    const jb = await job.json();
    assert.equal(jb.code, "not_found");
    assert.match(jb.message, /nope/);
    const topic = await post("/topics/nope/publish", { id: 1 });
    assert.equal(topic.status, 404);
    assert.equal((await topic.json()).code, "not_found");
    const other = await admin("/whatever");
    assert.equal(other.status, 404);
    assert.equal((await other.json()).code, "not_found");
  });

  await t.test("wrong methods are 405 with Allow", async () => {
    const list = await admin("/cron", { method: "POST" });
    assert.equal(list.status, 405);
    assert.equal(list.headers.get("allow"), "GET");
    const run = await admin("/cron/count-ticks/run");
    assert.equal(run.status, 405);
    assert.equal(run.headers.get("allow"), "POST");
    assert.equal((await run.json()).code, "invalid_argument");
  });

  await t.test("publish validates against the topic's message schema, then the subscription handles it", async () => {
    const bad = await post("/topics/events/publish", { id: 7, tag: "" });
    assert.equal(bad.status, 400);
    const b = await bad.json();
    assert.equal(b.code, "invalid_argument");
    assert.equal(b.details.field, "tag");
    const wrongType = await post("/topics/events/publish", { id: "seven", tag: "x" });
    assert.equal(wrongType.status, 400);
    assert.equal((await wrongType.json()).details.field, "id");
    const notJson = await post("/topics/events/publish", "{nope");
    assert.equal(notJson.status, 400);
    assert.match((await notJson.json()).message, /not valid JSON/);

    const ok = await post("/topics/events/publish", { id: 7, tag: "admin" });
    assert.equal(ok.status, 200);
    const { messageId } = await ok.json();
    assert.equal(typeof messageId, "string");
    assert.ok(messageId.length > 0);
    const got = await poll(async () => (await state()).received.find((m) => m.id === 7), "the subscription to handle the message");
    assert.deepEqual(got, { id: 7, tag: "admin" });
    assert.equal((await state()).received.filter((m) => m.id === 7).length, 1, "the invalid messages were not published");
  });

  app.proc.kill("SIGTERM");
  assert.equal((await app.exited).code, 0);
});
