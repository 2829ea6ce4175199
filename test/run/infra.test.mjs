// `reprise run` starts the app's infrastructure from the app model: secrets resolve (or stop start-up naming
// the secret and its service), migrations run on the embedded PGlite database, a subscription handles what an
// endpoint publishes, and the data persists across a restart of the process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startApp, json } from "../http/helpers.mjs";

function copyFixture(t) {
  const dir = mkdtempSync(join(tmpdir(), "reprise-run-infra-"));
  cpSync(join(root, "test", "run", "fixtures", "notes-app"), dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function poll(fn, what, deadlineMs = 20_000) {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("outside local development a missing secret stops start-up, naming the secret and the service", async (t) => {
  const dir = copyFixture(t);
  await assert.rejects(startApp(t, dir, { env: { REPRISE_ENV: "production" } }), (e) => {
    assert.match(e.message, /exited with 1/);
    assert.match(e.message, /NotesApiKey/);
    assert.match(e.message, /notes/);
    return true;
  });
});

test("database, pub/sub and secrets work under reprise run, and data survives a restart", { timeout: 180_000 }, async (t) => {
  const dir = copyFixture(t);
  const env = { REPRISE_SECRET_NotesApiKey: "k1" };
  const app = await startApp(t, dir, { env, timeoutMs: 120_000 });

  const denied = await fetch(`${app.url}/notes`, { method: "POST", body: JSON.stringify({ body: "x", key: "nope" }) });
  assert.equal(denied.status, 403);

  const res = await fetch(`${app.url}/notes`, { method: "POST", body: JSON.stringify({ body: "hello 'world'); --", key: "k1" }) });
  assert.equal(res.status, 200);
  const note = await json(res);
  assert.equal(note.body, "hello 'world'); --");

  const got = await json(await fetch(`${app.url}/notes/${note.id}`));
  assert.deepEqual(got, note);
  assert.equal((await fetch(`${app.url}/notes/999`)).status, 404);

  // The subscription writes an audit row for the published message.
  await poll(async () => (await json(await fetch(`${app.url}/audit`))).ids.includes(note.id), "the audit-note subscription");

  app.proc.kill("SIGTERM");
  assert.equal((await app.exited).code, 0);

  const again = await startApp(t, dir, { env, timeoutMs: 120_000 });
  assert.deepEqual(await json(await fetch(`${again.url}/notes/${note.id}`)), note);
  again.proc.kill("SIGTERM");
  assert.equal((await again.exited).code, 0);
});

test("--watch: after a reload the database, pub/sub and cron belong to the new build", { timeout: 240_000 }, async (t) => {
  const dir = copyFixture(t);
  const env = { REPRISE_SECRET_NotesApiKey: "k1" };
  const app = await startApp(t, dir, { env, args: ["--watch"], timeoutMs: 120_000 });
  const add = async (body) => {
    const r = await fetch(`${app.url}/notes`, { method: "POST", body: JSON.stringify({ body, key: "k1" }) });
    assert.equal(r.status, 200, `POST /notes: ${r.status}`);
    return json(r);
  };
  const first = await add("before");
  await poll(async () => (await json(await fetch(`${app.url}/audit`))).ids.includes(first.id), "the subscription before the reload");

  // An edit the response shows, so the test knows the new build answers.
  const file = join(dir, "notes", "notes.ts");
  writeFileSync(file, readFileSync(file, "utf8").replace("return { ids: rows.map((r) => r.note_id) };", "return { ids: rows.map((r) => r.note_id), build: 2 };"));
  await poll(async () => (await json(await fetch(`${app.url}/audit`))).build === 2, "the reloaded build", 120_000);
  await poll(() => /Reloaded in/.test(app.stdout), "the hand-over to finish", 60_000);

  const second = await add("after");
  assert.deepEqual(await json(await fetch(`${app.url}/notes/${first.id}`)), first, "data written by the old build is there");
  await poll(async () => (await json(await fetch(`${app.url}/audit`))).ids.includes(second.id), "the subscription after the reload");
  const cron = await json(await app.tool("/__reprise/admin/cron"));
  assert.ok(JSON.stringify(cron).includes("tidy-notes"), `cron jobs after the reload: ${JSON.stringify(cron)}`);
  assert.doesNotMatch(app.stderr, /DuplicateSubscription|failed to start/);
});
