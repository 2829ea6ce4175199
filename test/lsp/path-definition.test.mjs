// Go to definition from a path string over stdio: `fetch("/users/42")`, a full URL, a template literal with `${}`
// parts, a test's request path → the endpoint that serves it (literal segments before parameters); a string that
// is not a path, or a path nothing serves, gives no location. On the `rename` fixture.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { copyFixture, positionOf, startClient, uriOf } from "./client.mjs";

let app;
let client;
const source = [
  'import { describe, it } from "node:test";',
  "const id = 42;",
  'await fetch("/users/42");',
  'await fetch("http://localhost:4000/users/cleanup?dry=1", { method: "POST" });',
  "await fetch(`/users/${id}`);",
  'await fetch("/orders");',
  'await fetch("/nothing/here");',
  'const label = "users";',
  "await fetch('/reports.summary');",
  "",
].join("\n");
const rel = "users/users.test.ts";

before(async () => {
  app = copyFixture("rename");
  client = await startClient({ rootDir: app.dir, initializationOptions: { debounceMs: 5 } });
  await client.waitFor(async () => (await client.request("workspace/symbol", { query: "" })).length > 0, "first analysis");
  await client.open(join(app.dir, rel), source);
});
after(() => {
  client?.kill();
  app?.cleanup();
});

/** "file:line" of each definition for the cursor inside the `nth` occurrence of `needle`. */
async function definitionAt(needle, offset = 2) {
  const locations = await client.request("textDocument/definition", { textDocument: { uri: uriOf(join(app.dir, rel)) }, position: positionOf(source, needle, offset) });
  return locations.map((l) => `${fileURLToPath(l.uri).slice(app.dir.length + 1)}:${l.range.start.line + 1}`);
}

/** "file:line" of the line of `file` (in the fixture) that contains `needle`. */
const declared = (file, needle) => `${file}:${positionOf(readFileSync(join(app.dir, file), "utf8"), needle).line + 1}`;

test("a path, a URL and a template literal lead to the endpoint serving them", async () => {
  const get = declared("users/users.ts", "export const get"); // GET /users/:id
  const cleanup = declared("users/users.ts", "export const cleanup"); // POST /users/cleanup
  assert.deepEqual(await definitionAt('"/users/42"'), [get]);
  // `/users/cleanup` is served by the literal route first, then it also fits `/users/:id`.
  assert.deepEqual(await definitionAt('"http://localhost:4000/users/cleanup', 30), [cleanup, get]);
  assert.deepEqual(await definitionAt("`/users/${id}`", 3), [get]);
  assert.deepEqual(await definitionAt('"/orders"'), [declared("orders/orders.ts", "export const place")]);
  // An endpoint without an explicit path is served at /service.endpoint.
  assert.deepEqual(await definitionAt("'/reports.summary'"), [declared("reports/reports.ts", "export const summary")]);
});

test("strings that are not served paths give nothing", async () => {
  assert.deepEqual(await definitionAt('"/nothing/here"'), []);
  assert.deepEqual(await definitionAt('"users"'), []);
  assert.deepEqual(await definitionAt('"node:test"'), []);
});
