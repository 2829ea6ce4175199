// `reprise run` starts the app's infrastructure from the app model: secrets resolve (or stop start-up naming
// the secret and its service), migrations run on the embedded PGlite database, a subscription handles what an
// endpoint publishes, and the data persists across a restart of the process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
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

test("a missing secret stops start-up, naming the secret and the service", async (t) => {
  const dir = copyFixture(t);
  await assert.rejects(startApp(t, dir), (e) => {
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
