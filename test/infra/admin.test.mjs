// The admin routes of a real `reprise run` (runtime/src/admin.rs): list cron jobs, run one now through the
// scheduler (an `expose: false` endpoint, the overlap rule, an endpoint's own error), publish a validated message
// to a topic. Requests carry the run's token; the gate in front (Host, Origin, token) is test/http/tool-routes.test.mjs
// and `cargo test -p reprise-runtime tool_routes`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { execFile } from "node:child_process";
import net from "node:net";
import { root, startApp, json } from "../http/helpers.mjs";

const cli = join(root, "cli", "bin", "reprise.mjs");

/** Runs the reprise CLI in the app's folder (where it finds the run's token); resolves with its exit code and output. */
function reprise(args, input) {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 30_000, cwd: appDir }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

/** A loopback port with nothing listening on it. */
async function closedPort() {
  const srv = net.createServer();
  await new Promise((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address();
  await new Promise((r) => srv.close(r));
  return port;
}

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
  const admin = (path, init) => app.tool(`/__reprise/admin${path}`, init);
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

    // Logged as a publish through the admin route, not as one from a service the analyser did not see publishing.
    const line = await poll(() => app.stdout.split("\n").find((l) => l.includes(`"messageId":"${messageId}"`)), "the admin publish log line");
    const entry = JSON.parse(line);
    assert.equal(entry.level, "info");
    assert.equal(entry.publisher, "admin");
    assert.equal(entry.topic, "events");
    assert.match(entry.message, /admin route/);
    assert.doesNotMatch(app.stdout + app.stderr, /analyser did not see/);
    assert.equal(app.stdout.split("\n").filter((l) => l.includes('"publisher":"admin"')).length, 1, "one line per published message, none for refused ones");
  });

  await t.test("reprise cron list / run talk to the running app", async () => {
    const port = new URL(app.url).port;
    const list = await reprise(["cron", "list", "--port", port]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+SCHEDULE\s+ENDPOINT\s+STATE/m);
    assert.match(list.stdout, /^count-ticks\s+every 24h\s+jobs\.tick\s+idle\s+\S+\s+Count ticks$/m);
    assert.match(list.stdout, /^slow-job\s+0 3 \* \* \*\s+jobs\.slow/m);
    const asJson = await reprise(["cron", "list", "--url", app.url, "--json"]);
    assert.equal(asJson.code, 0, asJson.stderr);
    assert.equal(JSON.parse(asJson.stdout).jobs.length, 3);

    const before = (await state()).ticks;
    const ran = await reprise(["cron", "run", "count-ticks", "--url", app.url]);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(ran.stdout, /^cron job count-ticks \(jobs\.tick\) finished in \d+\.\d ms$/m);
    assert.equal((await state()).ticks, before + 1);

    const failed = await reprise(["cron", "run", "failing-job", "--url", app.url]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /permission_denied: the failing job always fails/);
    const unknown = await reprise(["cron", "run", "nope", "--url", app.url]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not_found: no cron job named "nope"/);
    const usage = await reprise(["cron", "run", "--url", app.url]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /needs a job name/);
  });

  await t.test("reprise pubsub publish validates, publishes, and the subscription handles it", async () => {
    const ok = await reprise(["pubsub", "publish", "events", '{"id": 9, "tag": "cli"}', "--url", app.url]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^published message \S+ to topic events$/m);
    await poll(async () => (await state()).received.some((m) => m.id === 9 && m.tag === "cli"), "the CLI's message");
    const stdin = await reprise(["pubsub", "publish", "events", "-", "--url", app.url, "--json"], '{"id": 10, "tag": "stdin"}');
    assert.equal(stdin.code, 0, stdin.stderr);
    assert.equal(typeof JSON.parse(stdin.stdout).messageId, "string");
    await poll(async () => (await state()).received.some((m) => m.id === 10), "the stdin message");

    const invalid = await reprise(["pubsub", "publish", "events", '{"id": 11, "tag": ""}', "--url", app.url]);
    assert.equal(invalid.code, 1);
    assert.match(invalid.stderr, /invalid_argument: .*"tag"/);
    const notJson = await reprise(["pubsub", "publish", "events", "{nope", "--url", app.url]);
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /not valid JSON/);
  });

  await t.test("with no app running there the commands say so and exit 2", async () => {
    const port = String(await closedPort());
    for (const args of [["cron", "list"], ["cron", "run", "x"], ["pubsub", "publish", "events", "{}"]]) {
      const r = await reprise([...args, "--port", port]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`no app is running at http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`));
    }
  });

  app.proc.kill("SIGTERM");
  assert.equal((await app.exited).code, 0);
});
