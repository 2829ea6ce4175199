// The `reprise.server.create` command over stdio ("New Service / Endpoint / Topic + Subscription / Database /
// Cron Job / Bucket / Secret"), on a copy of the `rename` fixture. The client here behaves like Neovim: it
// advertises workspace/applyEdit and file creation, applies the edit the server sends to disk and reports the
// changed files. Each kind: the edit is applied, the server's model gains the resource, and `reprise check` (the
// CLI's loader and analysis, in process) is clean. Also: `apply: false` returns the edit without applying it (what
// the VS Code palette uses to check a name as it is typed), refusals are RequestFailed errors naming the reason,
// and a client that cannot apply edits is told so.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { copyFixture, repoRoot, startClient, uriOf } from "./client.mjs";

const { loadApp } = await import(pathToFileURL(join(repoRoot, "cli", "dist", "src", "render", "app.js")).href);
function repriseCheck(dir) {
  const diags = loadApp(dir).result.model.diagnostics.filter((d) => d.severity === "error" || d.severity === "warning");
  assert.deepEqual(diags.map((d) => `${d.file}:${d.range.start.line + 1}: ${d.code} ${d.message}`), [], "reprise check is clean");
}

function offsetAt(text, { line, character }) {
  let off = 0;
  for (let l = 0; l < line; l++) off = text.indexOf("\n", off) + 1;
  return off + character;
}

/** Applies an LSP WorkspaceEdit to disk as an editor would; returns the file events to report. */
function applyToDisk(edit) {
  const events = [];
  for (const c of edit.documentChanges ?? []) {
    if (c.kind === "create") {
      const path = fileURLToPath(c.uri);
      assert.ok(!existsSync(path), `${path} is new`);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, "");
      events.push({ uri: c.uri, type: 1 });
      continue;
    }
    assert.equal(c.kind, undefined, "only file creations and text edits");
    const path = fileURLToPath(c.textDocument.uri);
    let text = readFileSync(path, "utf8");
    const edits = [...c.edits].sort((a, b) => offsetAt(text, b.range.start) - offsetAt(text, a.range.start));
    for (const e of edits) text = text.slice(0, offsetAt(text, e.range.start)) + e.newText + text.slice(offsetAt(text, e.range.end));
    writeFileSync(path, text);
    if (!events.some((ev) => ev.uri === c.textDocument.uri)) events.push({ uri: c.textDocument.uri, type: 2 });
  }
  return events;
}

let app;
let client;
const applied = [];

before(async () => {
  app = copyFixture("rename");
  client = await startClient({
    rootDir: app.dir,
    capabilities: {
      workspace: {
        applyEdit: true,
        configuration: true,
        didChangeWatchedFiles: { dynamicRegistration: true },
        workspaceEdit: { documentChanges: true, resourceOperations: ["create", "rename", "delete"] },
      },
    },
    initializationOptions: { debounceMs: 5 },
  });
  client.conn.onRequest("workspace/applyEdit", (params) => {
    applied.push(params);
    const events = applyToDisk(params.edit);
    void client.notify("workspace/didChangeWatchedFiles", { changes: events });
    return { applied: true };
  });
  await client.waitFor(async () => (await client.request("workspace/symbol", { query: "" })).length > 0, "first analysis");
});
after(() => {
  client?.kill();
  app?.cleanup();
});

const create = (args) => client.request("workspace/executeCommand", { command: "reprise.server.create", arguments: [args] });
const graph = async () => (await client.request("reprise/graph", {}))[0];

test("the server advertises the command", () => {
  assert.deepEqual(client.initializeResult.capabilities.executeCommandProvider, { commands: ["reprise.server.create"] });
});

test("apply: false returns the edit and applies nothing; a bad name comes back as the problem", async () => {
  const before = applied.length;
  const planned = await create({ kind: "service", name: "payments", apply: false });
  assert.equal(planned.ok, true);
  assert.equal(planned.applied, false);
  assert.equal(planned.uri, uriOf(join(app.dir, "payments", "encore.service.ts")));
  assert.deepEqual(planned.edit.documentChanges.map((c) => c.kind ?? "edit"), ["create", "edit"]);
  assert.equal(applied.length, before, "nothing was sent to the client");
  assert.ok(!existsSync(join(app.dir, "payments")));
  assert.deepEqual(await create({ kind: "service", name: "users", apply: false }), { ok: false, problem: "A service named 'users' already exists." });
  assert.match((await create({ kind: "bucket", service: "users", name: "Bad_Bucket", apply: false })).problem, /not a valid bucket name/);
});

test("New Service, then an endpoint, topic + subscription, database, cron job, bucket and secret in it: each applied, each in the model, check clean", async () => {
  const steps = [
    [{ kind: "service", name: "billing" }, (g) => g.model.app.services.some((s) => s.name === "billing")],
    [{ kind: "endpoint", service: "billing", name: "charge", method: "POST", path: "/billing/charge/:id" }, (g) => g.model.app.services.find((s) => s.name === "billing")?.endpoints.some((e) => e.name === "charge" && e.path === "/billing/charge/:id")],
    [{ kind: "topic", service: "billing", name: "invoice-paid", subscription: "send-receipt" }, (g) => g.model.app.topics.find((t) => t.name === "invoice-paid")?.subscriptions.some((s) => s.name === "send-receipt")],
    [{ kind: "database", service: "billing", name: "ledger" }, (g) => g.model.app.databases.some((d) => d.name === "ledger" && d.migrations.files.length === 1)],
    [{ kind: "cron", service: "billing", name: "nightly-invoices", every: "24h" }, (g) => g.model.app.cronJobs.some((c) => c.name === "nightly-invoices" && c.endpoint?.service === "billing")],
    [{ kind: "bucket", service: "billing", name: "invoices" }, (g) => g.model.app.buckets.some((b) => b.name === "invoices")],
    [{ kind: "secret", service: "billing", name: "StripeKey" }, (g) => g.model.app.secrets.some((s) => s.name === "StripeKey")],
  ];
  for (const [args, inModel] of steps) {
    const result = await create(args);
    assert.equal(result.ok, true, `${args.kind} ${args.name}`);
    assert.equal(result.applied, true);
    assert.equal(applied.at(-1).label, result.title);
    assert.ok(existsSync(fileURLToPath(result.uri)), `${result.uri} exists`);
    const line = readFileSync(fileURLToPath(result.uri), "utf8").split("\n")[result.range.start.line];
    assert.ok(line.includes(args.kind === "service" ? "new Service" : args.name), `the range points at the declaration: ${line}`);
    await client.waitFor(async () => inModel(await graph()), `${args.kind} '${args.name}' in the server's model`);
  }
  // The app keeps a runtime config with a production environment: the new secret is set there too (else RP7006).
  assert.match(readFileSync(join(app.dir, "reprise.config.json"), "utf8"), /"production": \{\n {6}"secrets": \{ "StripeKey": "\$env:STRIPE_KEY" \},\n {6}"buckets"/);
  // The diagram's graph has the new service as a node.
  assert.ok((await graph()).graph.nodes.some((n) => n.id === "service:billing"), "graph node for billing");
  repriseCheck(app.dir);
});

test("refusals are RequestFailed errors that say why", async () => {
  const refused = async (args, pattern) => {
    await assert.rejects(create(args), (err) => {
      assert.equal(err.code, -32803, "RequestFailed");
      assert.match(err.message, pattern);
      return true;
    });
  };
  await refused({ kind: "service", name: "orders" }, /already exists/);
  await refused({ kind: "endpoint", service: "users", name: "get" }, /already has an endpoint 'get'/);
  await refused({ kind: "database", service: "nowhere", name: "x" }, /no service 'nowhere'/);
  await refused({ kind: "queue", name: "x" }, /'kind' must be one of/);
  await assert.rejects(client.request("workspace/executeCommand", { command: "reprise.server.create", arguments: [] }), /exactly one argument/);
});

test("a client without workspace/applyEdit is told to apply the returned edit itself", async () => {
  const other = await startClient({ rootDir: app.dir, initializationOptions: { debounceMs: 5 } });
  try {
    await other.waitFor(async () => (await other.request("workspace/symbol", { query: "" })).length > 0, "first analysis");
    await assert.rejects(
      other.request("workspace/executeCommand", { command: "reprise.server.create", arguments: [{ kind: "service", name: "audit" }] }),
      /cannot apply workspace edits.*apply: false/,
    );
    assert.ok(!existsSync(join(app.dir, "audit")));
  } finally {
    other.kill();
  }
});

test("quick fix over stdio: a secret declared inside a function moves to the top level", async () => {
  const path = join(app.dir, "users", "keyed.ts");
  const text = ['import { secret } from "encore.dev/config";', "", "export function key(): string {", '  const apiKey = secret("ApiKey");', "  return apiKey();", "}", ""].join("\n");
  writeFileSync(path, text);
  await client.open(path, text);
  try {
    const published = await client.waitForDiagnostics(uriOf(path), (d) => d.some((x) => x.code === "RP7001"));
    const d = published.diagnostics.find((x) => x.code === "RP7001");
    const actions = await client.request("textDocument/codeAction", { textDocument: { uri: uriOf(path) }, range: d.range, context: { diagnostics: [d] } });
    const move = actions.find((a) => a.title === "Move this secret to the top level of the module");
    assert.ok(move, `offered: ${actions.map((a) => a.title).join(", ")}`);
    assert.equal(move.isPreferred, true);
    const edits = move.edit.changes[uriOf(path)];
    assert.deepEqual(edits.map((e) => [e.range.start.line, e.range.end.line, e.newText]), [[2, 2, 'const apiKey = secret("ApiKey");\n\n'], [3, 4, ""]]);
  } finally {
    await client.notify("textDocument/didClose", { textDocument: { uri: uriOf(path) } });
  }
});
