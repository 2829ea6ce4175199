// `reprise run --watch`: an edit is re-analysed and reloaded in a fresh worker while the listener (and port)
// stays; a broken edit keeps the previous build serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, startApp, until } from "./helpers.mjs";

test("watch mode reloads on save without dropping the port", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-watch-"));
  cpSync(fixture("encore-app"), dir, { recursive: true });
  const app = await startApp(t, dir, { args: ["--watch"] });
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10 }));
  assert.deepEqual(await (await fetch(app.url + "/hello/a")).json(), { message: "Hello a!" });
  const file = join(dir, "hello", "hello.ts");
  const original = readFileSync(file, "utf8");
  writeFileSync(file, original.replace("`Hello ${name}!`", "`Howdy ${name}!`"));
  await until(async () => (await (await fetch(app.url + "/hello/a")).json()).message === "Howdy a!", { timeoutMs: 30_000, what: "the reload" });
  writeFileSync(file, original.replace("export const greet = api(", "export const greet = api(42, "));
  await until(() => /not reloading|reload failed/.test(app.stdout + app.stderr), { timeoutMs: 30_000, what: "the broken build to be reported" });
  assert.deepEqual(await (await fetch(app.url + "/hello/b")).json(), { message: "Howdy b!" }, "the previous build keeps serving");
});

// A reload that adds a service with a new embedded database (PGlite) overlaps the builds: the old one keeps
// answering while the new one creates and migrates its database, then the listener swaps to it.
test("adding a service with a new database never interrupts the running app", { timeout: 240_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-watch-db-"));
  cpSync(fixture("encore-app"), dir, { recursive: true });
  // REPRISE_CACHE_DIR: the PGlite template cache; a test-owned one unless the caller shares a warm one.
  const cache = process.env.REPRISE_TEST_CACHE_DIR ?? join(dir, ".cache");
  const app = await startApp(t, dir, { args: ["--watch"], env: { REPRISE_CACHE_DIR: cache } });
  // After startApp's hook (hooks run in order): the app is gone before its folder is removed. A build still
  // being written by a reload the last edit started would otherwise make the removal fail (ENOTEMPTY) and leave
  // the server running.
  t.after(() => rmSync(dir, { recursive: true, force: true, maxRetries: 10 }));
  assert.equal((await fetch(app.url + "/hello/a")).status, 200);

  const bad = [];
  let served = 0;
  let slowest = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const sent = Date.now();
      try {
        const r = await fetch(app.url + "/hello/p", { signal: AbortSignal.timeout(60_000) });
        await r.arrayBuffer();
        slowest = Math.max(slowest, Date.now() - sent);
        if (r.status === 200) served++;
        else bad.push({ at: Date.now(), status: r.status });
      } catch (e) {
        bad.push({ at: Date.now(), error: String(e.cause?.code ?? e) });
      }
    }
  })();

  const svc = join(dir, "things");
  mkdirSync(join(svc, "migrations"), { recursive: true });
  writeFileSync(join(svc, "migrations", "1_create_thing.up.sql"), "CREATE TABLE thing (id serial PRIMARY KEY, name text NOT NULL);\nINSERT INTO thing (name) VALUES ('seeded');\n");
  writeFileSync(
    join(svc, "things.ts"),
    [
      `import { api } from "encore.dev/api";`,
      `import { SQLDatabase } from "encore.dev/storage/sqldb";`,
      `const db = new SQLDatabase("things", { migrations: "./migrations" });`,
      `export const list = api({ expose: true, method: "GET", path: "/things" }, async (): Promise<{ names: string[] }> => {`,
      "  const rows = await db.queryAll<{ name: string }>`SELECT name FROM thing ORDER BY id`;",
      `  return { names: rows.map((r) => r.name) };`,
      `});`,
      ``,
    ].join("\n"),
  );
  const added = Date.now();
  writeFileSync(join(svc, "encore.service.ts"), `import { Service } from "encore.dev/service";\n\nexport default new Service("things");\n`);

  const things = await until(
    async () => {
      const r = await fetch(app.url + "/things").catch(() => null);
      if (!r || r.status !== 200) return null;
      return r.json();
    },
    { timeoutMs: 180_000, intervalMs: 50, what: "the new endpoint to answer from its database" },
  );
  const readyMs = Date.now() - added;
  polling = false;
  await poller;
  t.diagnostic(`new endpoint answered ${readyMs} ms after the service was added; old endpoint: ${served} requests, slowest ${slowest} ms`);
  assert.deepEqual(things, { names: ["seeded"] });
  assert.deepEqual(bad.slice(0, 5), [], `the running app must keep answering (${bad.length} failures, the first ${JSON.stringify(bad[0]?.status ?? bad[0]?.error)} ${bad.length ? bad[0].at - added : 0} ms after the add)`);
  assert.ok(served > 0, "the existing endpoint was polled during the reload");
  // Bounded generously for a loaded machine; a stalled listener (requests held until the new build is up) fails it.
  assert.ok(slowest < 5000, `the existing endpoint kept answering promptly (slowest ${slowest} ms)`);
  const reloaded = await until(() => /Reloaded in \d+ ms.*/.exec(app.stdout)?.[0], { timeoutMs: 30_000, what: "the reload to finish" });
  t.diagnostic(reloaded);
  assert.ok(readdirSync(cache).some((n) => /^pglite-.+-template$/.test(n)), "the new database was seeded from the cached template");

  // Editing the service reloads it while its database is open in the serving build: the new build takes the
  // database over once the old one closed it; the endpoint answers throughout (queries wait, never fail).
  const failures = [];
  const edited = Date.now();
  writeFileSync(join(svc, "things.ts"), readFileSync(join(svc, "things.ts"), "utf8").replace("SELECT name FROM", "SELECT name || '!' AS name FROM"));
  const after = await until(
    async () => {
      const r = await fetch(app.url + "/things");
      const body = await r.json();
      if (r.status !== 200) failures.push({ status: r.status, body });
      return r.status === 200 && body.names[0] === "seeded!" ? body : null;
    },
    { timeoutMs: 120_000, intervalMs: 20, what: "the edited endpoint" },
  );
  t.diagnostic(`edited endpoint answered after ${Date.now() - edited} ms`);
  assert.deepEqual(after, { names: ["seeded!"] });
  assert.deepEqual(failures, [], "the database endpoint kept answering across the hand-over");
});
