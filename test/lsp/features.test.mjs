// The language server over stdio on the `basic` fixture (read-only: edits go through didOpen/didChange only):
// initialize, diagnostics with exact ranges, edits that introduce and fix problems, lenses, hover, definition,
// references, symbols, code actions, completion, reprise/graph, reprise/appModel, error containment, shutdown.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixtures, positionOf, rangeOf, startClient, uriOf } from "./client.mjs";

const root = join(fixtures, "basic");
const file = (rel) => join(root, rel);
const text = (rel) => readFileSync(file(rel), "utf8");
const uri = (rel) => uriOf(file(rel));
let client;

before(async () => {
  client = await startClient({ rootDir: root, capabilities: { experimental: { reprise: { appModel: true } } }, initializationOptions: { debounceMs: 5 } });
});
after(async () => {
  client?.kill();
});

test("initialize advertises the features and registers file watchers", async () => {
  const caps = client.initializeResult.capabilities;
  assert.equal(client.initializeResult.serverInfo.name, "reprise-language-server");
  assert.deepEqual(caps.codeLensProvider, { resolveProvider: true });
  for (const k of ["hoverProvider", "definitionProvider", "referencesProvider", "documentSymbolProvider", "workspaceSymbolProvider"]) assert.equal(caps[k], true, k);
  assert.equal(caps.textDocumentSync.change, 2);
  await client.waitFor(() => client.registrations.find((r) => r.method === "workspace/didChangeWatchedFiles"), "watcher registration");
  const reg = client.registrations.find((r) => r.method === "workspace/didChangeWatchedFiles");
  assert.ok(reg.registerOptions.watchers.some((w) => w.globPattern === "**/*.{ts,tsx,js,mjs,sql,app,json}"));
});

test("workspace diagnostics arrive for closed files with exact ranges", async () => {
  const published = await client.waitForDiagnostics(uri("users/admin.ts"), (d) => d.length > 0);
  assert.equal(published.diagnostics.length, 1);
  const [d] = published.diagnostics;
  assert.equal(d.code, "RP2001");
  assert.equal(d.source, "reprise");
  assert.equal(d.severity, 1);
  assert.deepEqual(d.range, rangeOf(text("users/admin.ts"), '"admin/ping"'));
  // The clean files publish nothing (or an empty list).
  for (const rel of ["users/users.ts", "email/email.ts", "blog/posts.ts"]) assert.equal(client.diagnostics.get(uri(rel))?.diagnostics.length ?? 0, 0, rel);
});

test("an edit that introduces a problem and one that fixes it re-publish the file", async () => {
  const rel = "blog/posts.ts";
  const original = text(rel);
  client.open(file(rel), original, 1);
  await client.waitForDiagnostics(uri(rel), (d, p) => p.version === 1);
  const at = positionOf(original, '"/posts"', 1);
  client.notify("textDocument/didChange", { textDocument: { uri: uri(rel), version: 2 }, contentChanges: [{ range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: "" }] });
  const broken = await client.waitForDiagnostics(uri(rel), (d, p) => p.version === 2);
  assert.deepEqual(broken.diagnostics.map((d) => d.code), ["RP2001"]);
  const edited = original.replace('"/posts"', '"posts"');
  assert.deepEqual(broken.diagnostics[0].range, rangeOf(edited, '"posts"'));
  client.notify("textDocument/didChange", { textDocument: { uri: uri(rel), version: 3 }, contentChanges: [{ text: original }] });
  const fixed = await client.waitForDiagnostics(uri(rel), (d, p) => p.version === 3);
  assert.deepEqual(fixed.diagnostics, []);
  client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
});

test("an edit in one file updates another file's diagnostics", async () => {
  const rel = "users/topics.ts";
  const original = text(rel);
  const since = client.mark();
  client.open(file(rel), original, 1);
  client.notify("textDocument/didChange", { textDocument: { uri: uri(rel), version: 2 }, contentChanges: [{ text: original.replace("export const signups", "export const signupz") }] });
  const broken = await client.waitForDiagnostics(uri("email/email.ts"), (d) => d.some((x) => x.code === "RP5006"), since);
  const diag = broken.diagnostics.find((x) => x.code === "RP5006");
  assert.equal(diag.range.start.line, positionOf(text("email/email.ts"), "signups,").line);
  const since2 = client.mark();
  client.notify("textDocument/didChange", { textDocument: { uri: uri(rel), version: 3 }, contentChanges: [{ text: original }] });
  await client.waitForDiagnostics(uri("email/email.ts"), (d) => d.length === 0, since2);
  client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
});

test("code lenses: Run / Call / Debug on endpoints, subscribers and publish on topics, the topic on subscriptions, Run now on cron jobs", async () => {
  const lenses = await client.request("textDocument/codeLens", { textDocument: { uri: uri("users/users.ts") } });
  assert.equal(lenses.length, 6);
  const resolved = await Promise.all(lenses.map((l) => client.request("codeLens/resolve", l)));
  const titles = resolved.map((l) => l.command.title);
  assert.deepEqual(titles, ["Run", "Call", "Debug", "Run", "Call", "Debug"], "plain words for a client that is not VS Code");
  const call = resolved[1].command;
  assert.equal(call.command, "reprise.callEndpoint");
  assert.deepEqual(call.arguments[0], {
    rootUri: uriOf(root),
    service: "users",
    endpoint: "get",
    method: "GET",
    methods: ["GET"],
    path: "/users/:id",
    sampleRequest: { id: 0 },
  });
  assert.equal(resolved[4].command.arguments[0].sampleRequest.name, "");
  assert.equal(resolved[0].range.start.line, positionOf(text("users/users.ts"), "export const get").line);

  const topicLenses = await Promise.all(
    (await client.request("textDocument/codeLens", { textDocument: { uri: uri("users/topics.ts") } })).map((l) => client.request("codeLens/resolve", l)),
  );
  assert.equal(topicLenses.length, 2);
  assert.equal(topicLenses[0].command.title, "1 subscriber");
  assert.equal(topicLenses[0].command.command, "reprise.showLocations");
  assert.equal(topicLenses[0].command.arguments[0].locations[0].uri, uri("email/email.ts"));
  // Next to the count: publish a message pre-filled from the topic's message schema (Signup { userId: number }).
  assert.equal(topicLenses[1].command.title, "Publish test message");
  assert.equal(topicLenses[1].command.command, "reprise.publishMessage");
  assert.deepEqual(topicLenses[1].command.arguments, [{ rootUri: uriOf(root), topic: "signups", sampleMessage: { userId: 0 }, subscribers: 1 }]);
  assert.deepEqual(topicLenses[1].range, topicLenses[0].range);

  const emailLenses = await Promise.all(
    (await client.request("textDocument/codeLens", { textDocument: { uri: uri("email/email.ts") } })).map((l) => client.request("codeLens/resolve", l)),
  );
  const byTitle = Object.fromEntries(emailLenses.map((l) => [l.command.title, l.command]));
  assert.equal(byTitle["topic signups"].arguments[0].locations[0].uri, uri("users/topics.ts"));
  assert.deepEqual(byTitle["Run now"].arguments[0], { rootUri: uriOf(root), name: "daily-digest", title: "Daily digest", endpoint: { service: "email", name: "digest" } });
  assert.ok(byTitle["Call"], "digest endpoint lens");
});

test("a new subscription in another file refreshes lenses and the topic counts it", async () => {
  const rel = "email/email.ts";
  // Fetch the topic's lenses first: from here on, a refresh can only come from a change to what they show.
  await client.request("textDocument/codeLens", { textDocument: { uri: uri("users/topics.ts") } });
  const since = client.mark();
  const extra = text(rel) + '\nexport const second = new Subscription(signups, "second-sub", { handler: async () => {} });\n';
  client.open(file(rel), extra, 1);
  await client.waitFor(() => client.notifications.slice(since).some((n) => n.method === "workspace/codeLens/refresh"), "codeLens refresh");
  const [lens] = await client.request("textDocument/codeLens", { textDocument: { uri: uri("users/topics.ts") } });
  assert.equal((await client.request("codeLens/resolve", lens)).command.title, "2 subscribers");
  const since2 = client.mark();
  client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
  await client.waitFor(() => client.notifications.slice(since2).some((n) => n.method === "workspace/codeLens/refresh"), "codeLens refresh after close");
});

test("code lenses follow the reprise.codeLens.enable setting", async () => {
  client.settings = { codeLens: { enable: false } };
  const since = client.mark();
  client.notify("workspace/didChangeConfiguration", { settings: {} });
  await client.waitFor(() => client.notifications.slice(since).some((n) => n.method === "workspace/codeLens/refresh"), "codeLens refresh");
  assert.deepEqual(await client.request("textDocument/codeLens", { textDocument: { uri: uri("users/users.ts") } }), []);
  client.settings = {};
  const since2 = client.mark();
  client.notify("workspace/didChangeConfiguration", { settings: {} });
  await client.waitFor(() => client.notifications.slice(since2).some((n) => n.method === "workspace/codeLens/refresh"), "second codeLens refresh");
  const again = await client.request("textDocument/codeLens", { textDocument: { uri: uri("users/users.ts") } });
  assert.equal(again.length, 6);
});

test("reprise.trace.server verbose logs each analysis with its timing", async () => {
  client.settings = { trace: { server: "verbose" } };
  const asked = client.configurationRequests;
  client.notify("workspace/didChangeConfiguration", { settings: {} });
  await client.waitFor(() => client.configurationRequests > asked, "the settings re-read");
  await client.request("reprise/graph", {}); // the re-read has been applied once this answers
  const rel = "blog/db.ts";
  client.open(file(rel), text(rel) + "\n// edited\n", 1);
  const line = await client.waitFor(() => client.logs.find((l) => /^generation \d+: re-analysed and published in [\d.]+ ms$/.test(l)), "a trace line");
  assert.ok(line);
  client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
  client.settings = {};
  client.notify("workspace/didChangeConfiguration", { settings: {} });
});

test("hover on an endpoint shows method, path, access and shapes; on a client call the target", async () => {
  const src = text("users/users.ts");
  const h = await client.request("textDocument/hover", { textDocument: { uri: uri("users/users.ts") }, position: positionOf(src, "export const get", 14) });
  assert.equal(h.contents.kind, "markdown");
  assert.match(h.contents.value, /\*\*GET \/users\/:id\*\* — `users\.get`/);
  assert.match(h.contents.value, /exposed · no auth required/);
  assert.match(h.contents.value, /Looks a user up by id\./);
  assert.match(h.contents.value, /\/\/ request\n\{\n  id: number;/);
  assert.match(h.contents.value, /\/\/ response\n\{\n  id: number;\n  name: string;\n  email\?: string;\n\}/);
  // Inside the handler body the TypeScript server answers, not us.
  const inside = await client.request("textDocument/hover", { textDocument: { uri: uri("users/users.ts") }, position: positionOf(src, 'name: "Ada"', 2) });
  assert.equal(inside, null);

  const email = text("email/email.ts");
  const c = await client.request("textDocument/hover", { textDocument: { uri: uri("email/email.ts") }, position: positionOf(email, "users.get(", 7) });
  assert.match(c.contents.value, /^Calls \*\*GET \/users\/:id\*\*/);
});

test("definition: client call → endpoint, subscription → topic", async () => {
  const email = text("email/email.ts");
  const [toEndpoint] = await client.request("textDocument/definition", { textDocument: { uri: uri("email/email.ts") }, position: positionOf(email, "users.get(", 7) });
  assert.equal(toEndpoint.uri, uri("users/users.ts"));
  assert.equal(toEndpoint.range.start.line, positionOf(text("users/users.ts"), "export const get").line);
  const [toTopic] = await client.request("textDocument/definition", { textDocument: { uri: uri("email/email.ts") }, position: positionOf(email, '"send-welcome"', 2) });
  assert.equal(toTopic.uri, uri("users/topics.ts"));
  assert.equal(toTopic.range.start.line, positionOf(text("users/topics.ts"), "export const signups").line);
});

test("references: topic → publishers and subscribers; endpoint → callers", async () => {
  const topics = text("users/topics.ts");
  const refs = await client.request("textDocument/references", { textDocument: { uri: uri("users/topics.ts") }, position: positionOf(topics, '"signups"', 2), context: { includeDeclaration: false } });
  const where = refs.map((r) => `${r.uri.slice(uriOf(root).length + 1)}:${r.range.start.line}`).sort();
  assert.deepEqual(where, [`email/email.ts:${positionOf(text("email/email.ts"), "new Subscription").line}`, `users/users.ts:${positionOf(text("users/users.ts"), "signups.publish").line}`]);
  const users = text("users/users.ts");
  const callers = await client.request("textDocument/references", { textDocument: { uri: uri("users/users.ts") }, position: positionOf(users, "export const get", 14), context: { includeDeclaration: true } });
  assert.deepEqual(callers.map((r) => r.uri), [uri("users/users.ts"), uri("email/email.ts")]);
  assert.deepEqual(callers[1].range, rangeOf(text("email/email.ts"), "users.get"));
});

test("document and workspace symbols name endpoints METHOD /path", async () => {
  const symbols = await client.request("textDocument/documentSymbol", { textDocument: { uri: uri("email/email.ts") } });
  assert.deepEqual(symbols.map((s) => s.name), ["send-welcome", "POST /email/digest", "daily-digest"]);
  const all = await client.request("workspace/symbol", { query: "" });
  const names = all.map((s) => s.name);
  for (const n of ["GET /users/:id", "POST /users", "GET /admin/health", "users", "signups", "blog", "daily-digest", "POST /email/digest", "GET /posts"]) assert.ok(names.includes(n), n);
  const q = await client.request("workspace/symbol", { query: "getusers" });
  assert.deepEqual(q.map((s) => s.name), ["GET /users/:id"]);
});

test("code actions come from the analyzer's fixes", async () => {
  const admin = text("users/admin.ts");
  const published = client.diagnostics.get(uri("users/admin.ts"));
  const actions = await client.request("textDocument/codeAction", {
    textDocument: { uri: uri("users/admin.ts") },
    range: rangeOf(admin, "admin/ping"),
    context: { diagnostics: published.diagnostics },
  });
  assert.ok(actions.length >= 1);
  const [fix] = actions;
  assert.equal(fix.kind, "quickfix");
  assert.equal(fix.isPreferred, true);
  assert.deepEqual(fix.diagnostics, published.diagnostics);
  const edits = fix.edit.changes[uri("users/admin.ts")];
  const lines = admin.split("\n");
  for (const e of [...edits].reverse()) {
    const line = lines[e.range.start.line];
    lines[e.range.start.line] = line.slice(0, e.range.start.character) + e.newText + line.slice(e.range.end.character);
  }
  assert.match(lines.join("\n"), /path: "\/admin\/ping"/);
  const none = await client.request("textDocument/codeAction", { textDocument: { uri: uri("users/admin.ts") }, range: rangeOf(admin, "import"), context: { diagnostics: [] } });
  assert.deepEqual(none, []);
});

test("code actions: rename a subscription to kebab-case, upper-case a method", async () => {
  const rel = "email/email.ts";
  const edited = text(rel).replace('"send-welcome"', '"sendWelcome"').replace('method: "POST"', 'method: "post"');
  client.open(file(rel), edited, 1);
  const published = await client.waitForDiagnostics(uri(rel), (d, p) => p.version === 1 && d.length === 2);
  assert.deepEqual(published.diagnostics.map((d) => [d.code, d.severity]), [["RP5008", 2], ["RP2024", 1]]);
  const [rename] = await client.request("textDocument/codeAction", { textDocument: { uri: uri(rel) }, range: rangeOf(edited, "sendWelcome"), context: { diagnostics: [] } });
  assert.equal(rename.title, 'Rename to "send-welcome"');
  assert.equal(rename.isPreferred, undefined);
  assert.deepEqual(rename.edit.changes[uri(rel)], [{ range: rangeOf(edited, '"sendWelcome"'), newText: '"send-welcome"' }]);
  const [method] = await client.request("textDocument/codeAction", { textDocument: { uri: uri(rel) }, range: rangeOf(edited, '"post"'), context: { diagnostics: [], only: ["quickfix"] } });
  assert.equal(method.title, 'Change to "POST"');
  assert.equal(method.isPreferred, true);
  assert.deepEqual(await client.request("textDocument/codeAction", { textDocument: { uri: uri(rel) }, range: rangeOf(edited, '"post"'), context: { diagnostics: [], only: ["refactor"] } }), []);
  client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
  await client.waitForDiagnostics(uri(rel), (d) => d.length === 0);
});

test("completion inside api() and CronJob options", async () => {
  const rel = "users/draft.ts";
  const src = 'import { api } from "encore.dev/api";\nexport const x = api({ method: "', tail = '" }, async () => {});\n';
  client.open(file(rel), src + tail, 1);
  const items = await client.request("textDocument/completion", { textDocument: { uri: uri(rel) }, position: positionOf(src + tail, '"', 1, 2) });
  assert.deepEqual(items.map((i) => i.textEdit.newText), ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"]);
  const keys = await client.request("textDocument/completion", { textDocument: { uri: uri(rel) }, position: positionOf(src + tail, "{ method", 2) });
  assert.ok(keys.some((i) => i.label === "expose") && !keys.some((i) => i.label === "method"));
  const cron = 'import { CronJob } from "encore.dev/cron";\nconst c = new CronJob("x", { every: "';
  client.notify("textDocument/didChange", { textDocument: { uri: uri(rel), version: 2 }, contentChanges: [{ text: cron }] });
  const every = await client.request("textDocument/completion", { textDocument: { uri: uri(rel) }, position: positionOf(cron, 'every: "', 8) });
  assert.ok(every.some((i) => i.textEdit.newText === '1h"'));
  client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
});

test("reprise/graph returns the model and graph; reprise/appModel is pushed after changes", async () => {
  const [entry] = await client.request("reprise/graph", {});
  assert.equal(entry.rootUri, uriOf(root));
  assert.equal(entry.model.version, 1);
  assert.deepEqual(entry.model.app.services.map((s) => s.name).sort(), ["blog", "email", "users"]);
  assert.ok(entry.graph.nodes.some((n) => n.id === "topic:signups"));
  assert.ok(entry.graph.edges.some((e) => e.kind === "rpc" && e.from === "service:email" && e.to === "service:users"));
  const since = client.mark();
  const rel = "users/admin.ts";
  client.open(file(rel), text(rel).replace("admin/ping", "/admin/pong"), 1);
  const pushed = await client.waitFor(() => client.notifications.slice(since).find((n) => n.method === "reprise/appModel" && JSON.stringify(n.params.model).includes("/admin/pong")), "reprise/appModel");
  assert.ok(pushed.params.generation > entry.generation);
  assert.equal(pushed.params.rootUri, uriOf(root));
  client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
});

test("a file that does not parse reports RP1001 and the other features keep answering", async () => {
  const rel = "blog/posts.ts";
  const broken = text(rel).replace("async (): Promise<{ count: number }> => {", "async (): Promise<{ count: number }> => {{");
  client.open(file(rel), broken, 1);
  const published = await client.waitForDiagnostics(uri(rel), (d, p) => p.version === 1 && d.length > 0);
  assert.deepEqual(published.diagnostics.map((d) => d.code), ["RP1001"]);
  assert.equal(await client.request("textDocument/hover", { textDocument: { uri: uri(rel) }, position: positionOf(broken, "SELECT") }), null);
  assert.deepEqual(await client.request("textDocument/documentSymbol", { textDocument: { uri: uri(rel) } }), []);
  assert.ok((await client.request("textDocument/codeLens", { textDocument: { uri: uri("users/users.ts") } })).length === 6);
  client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
  await client.waitForDiagnostics(uri(rel), (d) => d.length === 0);
});

test("bad requests get an error response and the server keeps serving", async () => {
  await assert.rejects(client.request("textDocument/hover", { textDocument: { uri: uri("users/users.ts") }, position: null }), /textDocument\/hover failed/);
  assert.ok(client.logs.some((l) => l.startsWith("textDocument/hover failed")), "the failure is logged");
  const h = await client.request("textDocument/hover", { textDocument: { uri: "untitled:Untitled-1" }, position: { line: 0, character: 0 } });
  assert.equal(h, null);
  assert.deepEqual(await client.request("textDocument/definition", { textDocument: { uri: "file:///nowhere/x.ts" }, position: { line: 0, character: 0 } }), []);
  const symbols = await client.request("workspace/symbol", { query: "posts" });
  assert.ok(symbols.length > 0);
});

test("shutdown and exit end the process with code 0", async () => {
  const result = await client.shutdown();
  assert.deepEqual(result, { code: 0, signal: null });
  client = undefined;
});
