// Files changing on disk while closed (workspace/didChangeWatchedFiles): deletes, renames, new files, new
// migrations, new app roots; and per-code severity overrides through settings. Each test works on its own copy
// of the fixture in a temp folder.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyFixture, positionOf, startClient, uriOf } from "./client.mjs";

const CREATED = 1;
const CHANGED = 2;
const DELETED = 3;

async function withApp(fn, options = {}) {
  const app = copyFixture("basic");
  const client = await startClient({ rootDir: app.dir, initializationOptions: { debounceMs: 5 }, ...options });
  try {
    await client.waitForDiagnostics(uriOf(join(app.dir, "users/admin.ts")), (d) => d.length === 1);
    await fn(app.dir, client);
  } finally {
    client.kill();
    app.cleanup();
  }
}

const watched = (client, changes) => client.notify("workspace/didChangeWatchedFiles", { changes: changes.map(([type, path]) => ({ type, uri: uriOf(path) })) });

test("deleting the file that declares a topic makes the subscription in another file an error; restoring it clears it", () =>
  withApp(async (dir, client) => {
    const topics = join(dir, "users/topics.ts");
    const email = uriOf(join(dir, "email/email.ts"));
    const saved = readFileSync(topics, "utf8");
    rmSync(topics);
    let since = client.mark();
    watched(client, [[DELETED, topics]]);
    const broken = await client.waitForDiagnostics(email, (d) => d.some((x) => x.code === "RP5006"), since);
    assert.equal(broken.diagnostics.find((x) => x.code === "RP5006").range.start.line, positionOf(readFileSync(join(dir, "email/email.ts"), "utf8"), "signups,").line);
    writeFileSync(topics, saved);
    since = client.mark();
    watched(client, [[CREATED, topics]]);
    await client.waitForDiagnostics(email, (d) => d.length === 0, since);
  }));

test("renaming a file updates the diagnostics of the files importing it", () =>
  withApp(async (dir, client) => {
    const from = join(dir, "users/topics.ts");
    const to = join(dir, "users/topics2.ts");
    const email = uriOf(join(dir, "email/email.ts"));
    renameSync(from, to);
    let since = client.mark();
    watched(client, [[DELETED, from], [CREATED, to]]);
    await client.waitForDiagnostics(email, (d) => d.some((x) => x.code === "RP5006"), since);
    // Point the import at the new name, as the editor's rename refactoring would.
    const emailPath = join(dir, "email/email.ts");
    writeFileSync(emailPath, readFileSync(emailPath, "utf8").replace('"../users/topics"', '"../users/topics2"'));
    since = client.mark();
    watched(client, [[CHANGED, emailPath]]);
    await client.waitForDiagnostics(email, (d) => d.length === 0, since);
  }));

test("a change on disk to a closed file re-publishes it, and a fixed file publishes an empty list", () =>
  withApp(async (dir, client) => {
    const admin = join(dir, "users/admin.ts");
    writeFileSync(admin, readFileSync(admin, "utf8").replace('"admin/ping"', '"/admin/ping"'));
    const since = client.mark();
    watched(client, [[CHANGED, admin]]);
    await client.waitForDiagnostics(uriOf(admin), (d) => d.length === 0, since);
  }));

test("a new migration file shows up in the model", () =>
  withApp(async (dir, client) => {
    const [before] = await client.request("reprise/graph", {});
    assert.deepEqual(before.model.app.databases.find((d) => d.name === "blog").migrations.files.map((f) => f.number), [1]);
    const mig = join(dir, "blog/migrations/2_add_body.up.sql");
    writeFileSync(mig, "ALTER TABLE posts ADD COLUMN body TEXT;\n");
    watched(client, [[CREATED, mig]]);
    const [after] = await client.request("reprise/graph", {});
    assert.deepEqual(after.model.app.databases.find((d) => d.name === "blog").migrations.files.map((f) => f.number), [1, 2]);
  }));

test("deleting a folder removes all of its files", () =>
  withApp(async (dir, client) => {
    rmSync(join(dir, "users"), { recursive: true });
    const since = client.mark();
    watched(client, [[DELETED, join(dir, "users")]]);
    await client.waitForDiagnostics(uriOf(join(dir, "users/admin.ts")), (d) => d.length === 0, since);
    const [entry] = await client.request("reprise/graph", {});
    assert.deepEqual(entry.model.app.services.map((s) => s.name).sort(), ["blog", "email"]);
  }));

test("severity overrides from settings: a code set to off disappears, set to warning changes severity", () =>
  withApp(async (dir, client) => {
    const admin = uriOf(join(dir, "users/admin.ts"));
    client.settings = { diagnostics: { severity: { RP2001: "warning" } } };
    let since = client.mark();
    client.notify("workspace/didChangeConfiguration", { settings: {} });
    const warned = await client.waitForDiagnostics(admin, (d) => d.length === 1 && d[0].severity === 2, since);
    assert.equal(warned.diagnostics[0].code, "RP2001");
    client.settings = { diagnostics: { severity: { RP2001: "off" } } };
    since = client.mark();
    client.notify("workspace/didChangeConfiguration", { settings: {} });
    await client.waitForDiagnostics(admin, (d) => d.length === 0, since);
  }));

test("several roots, nested: each file belongs to its innermost app", async () => {
  const app = copyFixture("basic");
  const inner = join(app.dir, "tools/inner");
  mkdirSync(join(inner, "svc"), { recursive: true });
  writeFileSync(join(inner, "encore.app"), '{ "id": "inner" }\n');
  writeFileSync(join(inner, "svc/encore.service.ts"), 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n');
  writeFileSync(join(inner, "svc/api.ts"), 'import { api } from "encore.dev/api";\nexport const hi = api({ path: "hi" }, async () => {});\n');
  const client = await startClient({ rootDir: app.dir, initializationOptions: { debounceMs: 5 } });
  try {
    const d = await client.waitForDiagnostics(uriOf(join(inner, "svc/api.ts")), (x) => x.length > 0);
    assert.deepEqual(d.diagnostics.map((x) => x.code), ["RP2001"]);
    const entries = await client.request("reprise/graph", {});
    assert.deepEqual(entries.map((e) => e.rootUri).sort(), [uriOf(app.dir), uriOf(inner)].sort());
    const outer = entries.find((e) => e.rootUri === uriOf(app.dir));
    assert.ok(!outer.model.app.services.some((s) => s.name === "svc"), "the outer app does not see the nested app's services");
    const only = await client.request("reprise/graph", { rootUri: uriOf(inner) });
    assert.deepEqual(only.map((e) => e.model.app.services.map((s) => s.name)), [["svc"]]);
    // A new app root appearing on disk is picked up.
    const third = join(app.dir, "third");
    mkdirSync(third);
    writeFileSync(join(third, "api.ts"), 'import { api } from "encore.dev/api";\nexport const x = api({ path: "x" }, async () => {});\n');
    writeFileSync(join(third, "reprise.app"), "{}\n");
    client.notify("workspace/didChangeWatchedFiles", { changes: [{ type: CREATED, uri: uriOf(join(third, "reprise.app")) }] });
    await client.waitForDiagnostics(uriOf(join(third, "api.ts")), (x) => x.some((y) => y.code === "RP2001"));
  } finally {
    client.kill();
    app.cleanup();
  }
});

test("without client file watching the server watches the folders itself", async () => {
  const app = copyFixture("basic");
  const client = await startClient({ rootDir: app.dir, initializationOptions: { debounceMs: 5 }, capabilities: { workspace: { configuration: true } } });
  try {
    await client.waitFor(() => client.logs.find((l) => /^watching \d+ folders/.test(l)), "the server's own watcher");
    assert.equal(client.registrations.filter((r) => r.method === "workspace/didChangeWatchedFiles").length, 0);
    const email = uriOf(join(app.dir, "email/email.ts"));
    const topics = join(app.dir, "users/topics.ts");
    const saved = readFileSync(topics, "utf8");
    let since = client.mark();
    rmSync(topics);
    await client.waitForDiagnostics(email, (d) => d.some((x) => x.code === "RP5006"), since);
    since = client.mark();
    writeFileSync(topics, saved);
    await client.waitForDiagnostics(email, (d) => d.length === 0, since);
    // A folder created with a broken endpoint in it.
    mkdirSync(join(app.dir, "users/sub"));
    writeFileSync(join(app.dir, "users/sub/extra.ts"), 'import { api } from "encore.dev/api";\nexport const extra = api({ path: "extra" }, async () => {});\n');
    await client.waitForDiagnostics(uriOf(join(app.dir, "users/sub/extra.ts")), (d) => d.some((x) => x.code === "RP2001"));
  } finally {
    client.kill();
    app.cleanup();
  }
});

test("workspace folders added and removed at runtime add and remove their app roots", async () => {
  const a = copyFixture("basic");
  const b = copyFixture("basic");
  const client = await startClient({ rootDir: a.dir, initializationOptions: { debounceMs: 5 } });
  try {
    assert.equal(client.initializeResult.capabilities.workspace.workspaceFolders.changeNotifications, true);
    await client.waitForDiagnostics(uriOf(join(a.dir, "users/admin.ts")), (d) => d.length === 1);
    client.notify("workspace/didChangeWorkspaceFolders", { event: { added: [{ uri: uriOf(b.dir), name: "b" }], removed: [] } });
    await client.waitForDiagnostics(uriOf(join(b.dir, "users/admin.ts")), (d) => d.length === 1);
    assert.deepEqual((await client.request("reprise/graph", {})).map((e) => e.rootUri).sort(), [uriOf(a.dir), uriOf(b.dir)].sort());
    const since = client.mark();
    client.notify("workspace/didChangeWorkspaceFolders", { event: { added: [], removed: [{ uri: uriOf(a.dir), name: "a" }] } });
    await client.waitForDiagnostics(uriOf(join(a.dir, "users/admin.ts")), (d) => d.length === 0, since);
    assert.deepEqual((await client.request("reprise/graph", {})).map((e) => e.rootUri), [uriOf(b.dir)]);
  } finally {
    client.kill();
    a.cleanup();
    b.cleanup();
  }
});

test("a .gitignore'd file is not analysed, a .gitignore change applies at once, and an oversized file is reported", () =>
  withApp(async (dir, client) => {
    const gen = join(dir, "users/generated/g.ts");
    mkdirSync(join(dir, "users/generated"));
    writeFileSync(gen, 'import { api } from "encore.dev/api";\nexport const g = api({ path: "nope" }, async () => {});\n');
    let since = client.mark();
    watched(client, [[CREATED, join(dir, "users/generated")]]);
    await client.waitForDiagnostics(uriOf(gen), (d) => d.some((x) => x.code === "RP2001"), since);
    writeFileSync(join(dir, ".gitignore"), "generated/\n");
    since = client.mark();
    watched(client, [[CREATED, join(dir, ".gitignore")]]);
    await client.waitForDiagnostics(uriOf(gen), (d) => d.length === 0, since);
    // Opening it does not make it analysed either.
    client.open(gen, readFileSync(gen, "utf8").replace('"nope"', '"nope2"'));
    const [graph] = await client.request("reprise/graph", {});
    assert.ok(!graph.model.diagnostics.some((d) => d.file.includes("generated")));
    // A file over the size limit (set low here) is reported, not parsed.
    const big = join(dir, "users/big.ts");
    writeFileSync(big, "export const big = [" + "1,".repeat(3000) + "];\n");
    watched(client, [[CREATED, big]]);
    const [before] = await client.request("reprise/graph", {});
    assert.ok(!before.model.diagnostics.some((d) => d.file === "users/big.ts"));
    client.settings.analysis = { maxFileSize: 4096 };
    since = client.mark();
    client.notify("workspace/didChangeConfiguration", { settings: {} });
    await client.waitForDiagnostics(uriOf(big), (d) => d.some((x) => x.code === "RP1006"), since);
  }));
