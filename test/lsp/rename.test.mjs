// Rename and references of infrastructure names over stdio, on the `rename` fixture (three services, a topic with a
// subscription, a database with a named reference, a bucket with a named reference, two cron jobs, a secret declared
// twice, client calls and a runtime config file). Each rename: prepareRename's range and placeholder, the full edit
// set (asserted exactly), the change annotation for things that hold data, then the edit applied to a fresh copy
// of the app and `reprise check` clean on it (in process: the CLI's loader and analysis). Refusals: taken, reserved and invalid names; a position on nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { copyFixture, positionOf, rangeOf, repoRoot, startClient, uriOf } from "./client.mjs";

// `reprise check` in this process: the CLI's own loader and analysis (cli/src/commands/check.ts), its exit code is
// "error diagnostics or not"; in-process so the dozen checks here do not each pay a process start.
const { loadApp } = await import(pathToFileURL(join(repoRoot, "cli", "dist", "src", "render", "app.js")).href);
function repriseCheck(dir) {
  const errors = loadApp(dir).result.model.diagnostics.filter((d) => d.severity === "error");
  assert.deepEqual(errors.map((d) => `${d.file}:${d.range.start.line + 1}: ${d.code} ${d.message}`), [], "reprise check is clean");
}
let app;
let client;
const file = (rel) => join(app.dir, rel);
const text = (rel) => readFileSync(file(rel), "utf8");
const uri = (rel) => uriOf(file(rel));
const at = (rel, needle, offset = 1, nth = 0) => ({ textDocument: { uri: uri(rel) }, position: positionOf(text(rel), needle, offset, nth) });

/** A copy of the fixture with an embedded database folder (`.reprise/` is git-ignored, so it is made here). */
function copyWithData() {
  const copy = copyFixture("rename");
  mkdirSync(join(copy.dir, ".reprise", "db", "orders"), { recursive: true });
  writeFileSync(join(copy.dir, ".reprise", "db", "orders", "PG_VERSION"), "16\n");
  mkdirSync(join(copy.dir, ".reprise", "buckets", ".meta", "avatars"), { recursive: true });
  mkdirSync(join(copy.dir, ".reprise", "buckets", "avatars"), { recursive: true });
  writeFileSync(join(copy.dir, ".reprise", "buckets", "avatars", "a.png"), "png");
  return copy;
}

before(async () => {
  app = copyWithData();
  client = await startClient({
    rootDir: app.dir,
    clientInfo: { name: "Visual Studio Code", version: "1.95.0" },
    capabilities: {
      textDocument: { rename: { prepareSupport: true } },
      workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ["create", "rename", "delete"], changeAnnotationSupport: { groupsOnLabel: true } } },
    },
    initializationOptions: { debounceMs: 5 },
  });
  // The first analysis is done once the workspace symbols list the services.
  await client.waitFor(async () => (await client.request("workspace/symbol", { query: "" })).length > 0, "first analysis");
});
after(async () => {
  client?.kill();
  app?.cleanup();
});

/** The edit as sorted "file line:start-end → text" lines (file operations as "rename a → b"), paths root-relative. */
function summarize(edit) {
  const rel = (u) => fileURLToPath(u).slice(app.dir.length + 1);
  const out = [];
  for (const change of edit.documentChanges) {
    if (change.kind === "rename") out.push(`rename ${rel(change.oldUri)} → ${rel(change.newUri)}`);
    else for (const e of change.edits) out.push(`${rel(change.textDocument.uri)} ${e.range.start.line}:${e.range.start.character}-${e.range.end.character} → ${e.newText}`);
  }
  return out.sort();
}

/** "file line:start-end → text" for the `nth` occurrence of `needle` (inside quotes when `quoted`). */
function expectAt(rel, needle, newText, { quoted = false, nth = 0 } = {}) {
  const r = rangeOf(text(rel), quoted ? `"${needle}"` : needle, nth);
  const start = r.start.character + (quoted ? 1 : 0);
  const end = r.end.character - (quoted ? 1 : 0);
  return `${rel} ${r.start.line}:${start}-${end} → ${newText}`;
}

/** Applies a workspace edit to a fresh copy of the fixture, runs `reprise check` there, then `inspect`s the copy. */
function applyAndCheck(edit, inspect = () => {}) {
  const copy = copyWithData();
  try {
    const target = (u) => join(copy.dir, fileURLToPath(u).slice(app.dir.length + 1));
    for (const change of edit.documentChanges) {
      if (change.kind === "rename") {
        renameSync(target(change.oldUri), target(change.newUri));
        continue;
      }
      const path = target(change.textDocument.uri);
      const lines = readFileSync(path, "utf8").split("\n");
      const edits = [...change.edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
      for (const e of edits) {
        assert.equal(e.range.start.line, e.range.end.line, "name edits are on one line");
        const l = lines[e.range.start.line];
        lines[e.range.start.line] = l.slice(0, e.range.start.character) + e.newText + l.slice(e.range.end.character);
      }
      writeFileSync(path, lines.join("\n"));
    }
    repriseCheck(copy.dir);
    inspect({ read: (rel) => readFileSync(join(copy.dir, rel), "utf8"), exists: (rel) => existsSync(join(copy.dir, rel)) });
  } finally {
    copy.cleanup();
  }
}

async function renameCase(params, newName, expected, { annotated = false } = {}) {
  const prepared = await client.request("textDocument/prepareRename", params);
  assert.ok(prepared, "prepareRename accepts the position");
  const edit = await client.request("textDocument/rename", { ...params, newName });
  assert.deepEqual(summarize(edit), [...expected].sort());
  if (annotated) {
    const ann = edit.changeAnnotations?.["reprise.data"];
    assert.equal(ann?.needsConfirmation, true, "data-holding renames need confirmation");
    for (const change of edit.documentChanges) {
      if (change.kind) assert.equal(change.annotationId, "reprise.data");
      else for (const e of change.edits) assert.equal(e.annotationId, "reprise.data");
    }
  } else {
    assert.equal(edit.changeAnnotations, undefined);
  }
  return { prepared, edit };
}

test("prepareRename gives the name's range without quotes and the name as placeholder", async () => {
  const p = await client.request("textDocument/prepareRename", at("orders/db.ts", '"orders"', 3));
  assert.deepEqual(p, { range: { start: positionOf(text("orders/db.ts"), '"orders"', 1), end: positionOf(text("orders/db.ts"), '"orders"', 7) }, placeholder: "orders" });
  assert.equal(await client.request("textDocument/prepareRename", at("orders/orders.ts", "const user", 2)), null, "nothing to rename on a plain variable");
});

test("rename a service: declaration, client imports and calls follow; its folder moves with the imports into it (own confirmation)", async () => {
  const params = at("users/encore.service.ts", '"users"', 2);
  assert.ok(await client.request("textDocument/prepareRename", params));
  const edit = await client.request("textDocument/rename", { ...params, newName: "accounts" });
  const names = [
    expectAt("users/encore.service.ts", "users", "accounts", { quoted: true }),
    expectAt("orders/orders.ts", "users", "accounts", { nth: 0 }),
    expectAt("orders/orders.ts", "users.get", "accounts").replace(/-\d+ →/, (m) => `-${positionOf(text("orders/orders.ts"), "users.get", 5).character} →`),
    expectAt("orders/orders.ts", "users.cleanup", "accounts").replace(/-\d+ →/, (m) => `-${positionOf(text("orders/orders.ts"), "users.cleanup", 5).character} →`),
  ];
  const folder = [
    expectAt("orders/orders.ts", "../users/users", "../accounts/users"),
    expectAt("reports/reports.ts", "../users/users", "../accounts/users"),
    "rename users → accounts",
  ];
  assert.deepEqual(summarize(edit), [...names, ...folder].sort());
  // The folder move is its own change annotation (needs confirmation, so a client can leave it out); the name
  // edits carry none (users has no data and no default paths).
  assert.deepEqual(Object.keys(edit.changeAnnotations), ["reprise.folder"]);
  assert.equal(edit.changeAnnotations["reprise.folder"].needsConfirmation, true);
  assert.equal(edit.changeAnnotations["reprise.folder"].label, "Rename folder users/ → accounts/");
  assert.equal(edit.documentChanges.at(-1).kind, "rename", "the folder moves after every text edit");
  for (const change of edit.documentChanges) {
    if (change.kind) assert.equal(change.annotationId, "reprise.folder");
    else for (const e of change.edits) assert.equal(e.annotationId, e.newText.includes("/") ? "reprise.folder" : undefined);
  }
  applyAndCheck(edit, (after) => {
    assert.ok(after.exists("accounts/encore.service.ts") && !after.exists("users"));
    assert.match(after.read("reports/reports.ts"), /import \{ cleanup \} from "\.\.\/accounts\/users";/);
  });
  // From a call site, the same edit.
  const fromCall = await client.request("textDocument/rename", { ...at("orders/orders.ts", "users.get", 1), newName: "accounts" });
  assert.deepEqual(summarize(fromCall), summarize(edit));
});

test("a service folder is not moved for a client without file renames or change annotations", async () => {
  const plain = await startClient({
    rootDir: app.dir,
    capabilities: { textDocument: { rename: { prepareSupport: true } }, workspace: { workspaceEdit: { documentChanges: true, resourceOperations: ["create"] } } },
    initializationOptions: { debounceMs: 5 },
  });
  try {
    await plain.waitFor(async () => (await plain.request("workspace/symbol", { query: "" })).length > 0, "first analysis");
    const edit = await plain.request("textDocument/rename", { ...at("users/encore.service.ts", '"users"', 2), newName: "accounts" });
    assert.equal(summarize(edit).length, 4);
    assert.ok(!summarize(edit).some((l) => l.startsWith("rename")));
    assert.equal(edit.changeAnnotations, undefined);
  } finally {
    plain.kill();
  }
});

test("rename an endpoint: declaration, client calls and an imported cron endpoint (aliased import)", async () => {
  const cleanupCall = positionOf(text("orders/orders.ts"), "users.cleanup", 6);
  const { edit } = await renameCase(at("users/users.ts", "cleanup = api", 2), "purge", [
    expectAt("users/users.ts", "cleanup", "purge"),
    `orders/orders.ts ${cleanupCall.line}:${cleanupCall.character}-${cleanupCall.character + 7} → purge`,
    expectAt("reports/reports.ts", "cleanup", "purge as cleanup"),
  ]);
  applyAndCheck(edit, (after) => assert.match(after.read("reports/reports.ts"), /import \{ purge as cleanup \} from "\.\.\/users\/users";/));
});

test("rename an endpoint used by a cron job in its own file", async () => {
  const { edit } = await renameCase(at("reports/reports.ts", "nightly = api", 2), "nightlyRun", [
    expectAt("reports/reports.ts", "nightly", "nightlyRun", { nth: 0 }).replace(/^reports\/reports.ts \d+:\d+-\d+/, () => {
      const p = positionOf(text("reports/reports.ts"), "nightly = api");
      return `reports/reports.ts ${p.line}:${p.character}-${p.character + 7}`;
    }),
    (() => {
      const p = positionOf(text("reports/reports.ts"), "endpoint: nightly", 10);
      return `reports/reports.ts ${p.line}:${p.character}-${p.character + 7} → nightlyRun`;
    })(),
  ]);
  applyAndCheck(edit);
});

test("rename a database: declaration, SQLDatabase.named, config keys in every environment, the embedded data folder moves (annotated)", async () => {
  const { edit } = await renameCase(at("orders/db.ts", '"orders"', 2), "shop_orders", [
    expectAt("orders/db.ts", "orders", "shop_orders", { quoted: true }),
    expectAt("reports/reports.ts", "orders", "shop_orders", { quoted: true }),
    expectAt("reprise.config.json", "orders", "shop_orders", { quoted: true, nth: 0 }),
    expectAt("reprise.config.json", "orders", "shop_orders", { quoted: true, nth: 1 }),
    "rename .reprise/db/orders → .reprise/db/shop_orders",
  ], { annotated: true });
  assert.match(edit.changeAnnotations["reprise.data"].description, /deployed PostgreSQL database keeps its old name/);
  applyAndCheck(edit, (after) => {
    assert.ok(after.exists(".reprise/db/shop_orders/PG_VERSION"));
    assert.ok(!after.exists(".reprise/db/orders"));
  });
  // The same rename started from the config key.
  const fromConfig = await client.request("textDocument/rename", { ...at("reprise.config.json", '"orders"', 2), newName: "shop_orders" });
  assert.deepEqual(summarize(fromConfig), summarize(edit));
});

test("rename a bucket, a topic, a subscription, a cron job and a secret", async () => {
  await renameCase(at("users/users.ts", '"avatars"', 2), "profile-pictures", [
    expectAt("users/users.ts", "avatars", "profile-pictures", { quoted: true }),
    expectAt("orders/orders.ts", "avatars", "profile-pictures", { quoted: true }),
    expectAt("reprise.config.json", "avatars", "profile-pictures", { quoted: true }),
    "rename .reprise/buckets/avatars → .reprise/buckets/profile-pictures",
    "rename .reprise/buckets/.meta/avatars → .reprise/buckets/.meta/profile-pictures",
  ], { annotated: true }).then(({ edit }) => applyAndCheck(edit, (after) => assert.equal(after.read(".reprise/buckets/profile-pictures/a.png"), "png")));
  await renameCase(at("users/users.ts", '"signups"', 2), "user-signups", [expectAt("users/users.ts", "signups", "user-signups", { quoted: true })], { annotated: true }).then(({ edit }) => applyAndCheck(edit));
  await renameCase(at("orders/orders.ts", '"welcome-order"', 2), "order-welcome", [expectAt("orders/orders.ts", "welcome-order", "order-welcome", { quoted: true })], { annotated: true }).then(({ edit }) => applyAndCheck(edit));
  await renameCase(at("reports/reports.ts", '"user-cleanup"', 2), "hourly-cleanup", [expectAt("reports/reports.ts", "user-cleanup", "hourly-cleanup", { quoted: true })]).then(({ edit }) => applyAndCheck(edit));
  await renameCase(at("reports/reports.ts", '"MailKey"', 2), "SmtpKey", [
    expectAt("users/users.ts", "MailKey", "SmtpKey", { quoted: true }),
    expectAt("reports/reports.ts", "MailKey", "SmtpKey", { quoted: true }),
    expectAt("reprise.config.json", "MailKey", "SmtpKey", { quoted: true }),
  ]).then(({ edit }) => applyAndCheck(edit));
});

test("an endpoint without an explicit path: the rename says its URL changes (confirmation)", async () => {
  const { edit } = await renameCase(at("reports/reports.ts", "summary = api", 2), "overview", [expectAt("reports/reports.ts", "summary", "overview")], { annotated: true });
  assert.match(edit.changeAnnotations["reprise.data"].description, /default path changes from \/reports\.summary to \/reports\.overview/);
  applyAndCheck(edit);
});

test("rename refuses names that would be errors and accepts style-only problems", async () => {
  const refused = async (params, newName, pattern) => {
    await assert.rejects(client.request("textDocument/rename", { ...params, newName }), (err) => {
      assert.equal(err.code, -32803, "RequestFailed");
      assert.match(err.message, pattern);
      return true;
    });
  };
  await refused(at("users/encore.service.ts", '"users"', 2), "orders", /already exists/);
  await refused(at("users/encore.service.ts", '"users"', 2), "delete", /reserved/);
  await refused(at("users/encore.service.ts", '"users"', 2), "bad name!", /not a valid service name/);
  await refused(at("users/users.ts", "cleanup = api", 2), "get", /already has an endpoint 'get'/);
  await refused(at("users/users.ts", "cleanup = api", 2), "ref", /reserved by the generated service client/);
  await refused(at("users/users.ts", "cleanup = api", 2), "clean-up", /not a valid endpoint name/);
  await refused(at("users/users.ts", '"avatars"', 2), "Avatars", /not a valid bucket name/);
  // Names the edited files already use: the rename would leave a TypeScript error behind.
  await refused(at("users/users.ts", "cleanup = api", 2), "apiKey", /already used in users\/users.ts/);
  await refused(at("users/encore.service.ts", '"users"', 2), "db", /'db' is already used in orders\/orders.ts/);
  await refused(at("orders/db.ts", '"orders"', 2), "", /empty/);
  await refused(at("reports/reports.ts", '"user-cleanup"', 2), "nightly-report", /already exists/);
  await refused(at("reports/reports.ts", '"MailKey"', 2), "Mail-Key", /not a valid secret name/);
  // Only a style warning (RP4010: not snake_case): accepted.
  const edit = await client.request("textDocument/rename", { ...at("orders/db.ts", '"orders"', 2), newName: "ShopOrders" });
  assert.equal(summarize(edit).length, 5);
});

test("references of infrastructure names span code and the runtime config file", async () => {
  const refs = await client.request("textDocument/references", { ...at("reports/reports.ts", '"orders"', 2), context: { includeDeclaration: true } });
  const got = refs.map((l) => `${fileURLToPath(l.uri).slice(app.dir.length + 1)}:${l.range.start.line}`).sort();
  assert.deepEqual(got, ["orders/db.ts:2", "reports/reports.ts:7", "reprise.config.json:2", "reprise.config.json:6"]);
  const noDecl = await client.request("textDocument/references", { ...at("reprise.config.json", '"MailKey"', 2), context: { includeDeclaration: false } });
  assert.deepEqual(noDecl.map((l) => fileURLToPath(l.uri).slice(app.dir.length + 1)), ["reprise.config.json"]);
  const service = await client.request("textDocument/references", { ...at("users/encore.service.ts", '"users"', 2), context: { includeDeclaration: false } });
  assert.equal(service.length, 3, "the clients import and two call sites");
});

test("VS Code (by clientInfo) gets codicon lens titles", async () => {
  const lenses = await client.request("textDocument/codeLens", { textDocument: { uri: uri("reports/reports.ts") } });
  const titles = (await Promise.all(lenses.map((l) => client.request("codeLens/resolve", l)))).map((l) => l.command.title);
  assert.deepEqual(titles.slice(0, 3), ["$(play) Run", "$(zap) Call", "$(debug-alt) Debug"]);
  assert.ok(titles.includes("$(play) Run now"), titles.join(", "));
});

test("quick fixes that create files: a missing migrations folder, a service a clients import names", async () => {
  const rel = "orders/extra.ts";
  const source = [
    'import { SQLDatabase } from "encore.dev/storage/sqldb";',
    'import { billing } from "~encore/clients";',
    'export const ledger = new SQLDatabase("ledger", { migrations: "./ledger-migrations" });',
    "export type BillingClient = billing.Client;",
    "",
  ].join("\n");
  client.open(file(rel), source, 1);
  try {
    const published = await client.waitForDiagnostics(uri(rel), (d) => d.length === 2);
    const actions = [];
    for (const d of published.diagnostics) {
      actions.push(...(await client.request("textDocument/codeAction", { textDocument: { uri: uri(rel) }, range: d.range, context: { diagnostics: [d] } })));
    }
    const creating = actions.filter((a) => a.edit?.documentChanges?.some((c) => c.kind === "create"));
    assert.deepEqual(creating.map((a) => a.title).sort(), ["Create orders/ledger-migrations/1_init.up.sql", "Create service 'billing' (billing/encore.service.ts)"]);
    // Applied to a copy of the app with the new file: `reprise check` is clean.
    const copy = copyWithData();
    try {
      writeFileSync(join(copy.dir, rel), source);
      for (const a of creating) {
        for (const c of a.edit.documentChanges) {
          const path = join(copy.dir, fileURLToPath(c.uri ?? c.textDocument.uri).slice(app.dir.length + 1));
          if (c.kind === "create") {
            mkdirSync(join(path, ".."), { recursive: true });
            writeFileSync(path, "");
          } else writeFileSync(path, c.edits[0].newText + readFileSync(path, "utf8"));
        }
      }
      repriseCheck(copy.dir);
      assert.match(readFileSync(join(copy.dir, "billing", "encore.service.ts"), "utf8"), /import \{ Service \} from "encore\.dev\/service";\n\nexport default new Service\("billing"\);/);
    } finally {
      copy.cleanup();
    }
  } finally {
    await client.notify("textDocument/didClose", { textDocument: { uri: uri(rel) } });
  }
});
