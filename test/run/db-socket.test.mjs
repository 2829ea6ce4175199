// Embedded databases speak Postgres: under `reprise run` each PGlite database is served on a loopback
// wire-protocol socket, `db.connectionString` (read at module level) is its postgresql:// URL, and a real driver
// (`pg`) reads and writes the data the SDK sees; transactions of one client hold others off until they end;
// past the connection limit a client gets PostgreSQL's too_many_connections error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root, startApp } from "../http/helpers.mjs";

const pg = createRequire(join(root, "runtime", "sdk", "package.json"))("pg");

test("db.connectionString of an embedded database is a postgresql:// URL that pg can use", { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-db-socket-"));
  cpSync(join(root, "test", "run", "fixtures", "socket-app"), dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const app = await startApp(t, dir);
  const first = await (await fetch(app.url + "/db")).json();
  assert.match(first.url, /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/notes\?sslmode=disable$/);
  assert.deepEqual(first.texts, []);

  const a = new pg.Client({ connectionString: first.url });
  const b = new pg.Client({ connectionString: first.url });
  // The app is stopped when the test ends; clients still open then see their connection end.
  for (const x of [a, b]) x.on("error", () => {});
  await a.connect();
  await b.connect();
  t.after(() => Promise.allSettled([a.end(), b.end()]));
  await a.query("INSERT INTO notes (text) VALUES ($1)", ["from pg"]);
  assert.deepEqual((await (await fetch(app.url + "/db")).json()).texts, ["from pg"], "the SDK sees what pg wrote");
  assert.equal((await b.query("SELECT count(*)::int AS n FROM notes")).rows[0].n, 1);

  // A's transaction keeps B waiting until it commits; B then sees the committed row.
  await a.query("BEGIN");
  await a.query("INSERT INTO notes (text) VALUES ('in tx')");
  let bDone = false;
  const bRead = b.query("SELECT count(*)::int AS n FROM notes").then((r) => ((bDone = true), r.rows[0].n));
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(bDone, false, "B waits while A's transaction is open");
  await a.query("COMMIT");
  assert.equal(await bRead, 2);

  // A client that leaves inside a transaction has it rolled back.
  const c = new pg.Client({ connectionString: first.url });
  c.on("error", () => {});
  await c.connect();
  await c.query("BEGIN");
  await c.query("INSERT INTO notes (text) VALUES ('abandoned')");
  c.connection.stream.destroy();
  assert.equal((await b.query("SELECT count(*)::int AS n FROM notes")).rows[0].n, 2);

  // Past the limit: PostgreSQL's too_many_connections.
  const many = [];
  t.after(() => Promise.allSettled(many.map((x) => x.end())));
  let refused = null;
  for (let i = 0; i < 40 && !refused; i++) {
    const x = new pg.Client({ connectionString: first.url });
    x.on("error", () => {});
    try {
      await x.connect();
      many.push(x);
    } catch (e) {
      refused = e;
    }
  }
  assert.ok(refused, "a client past the limit is refused");
  assert.equal(refused.code, "53300");
  assert.match(refused.message, /too many clients already \(the embedded database "notes" serves 32 at once\)/);
  await Promise.allSettled([a.end(), b.end(), ...many.map((x) => x.end())]);
});
