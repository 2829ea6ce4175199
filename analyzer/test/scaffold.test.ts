/**
 * The "New …" commands' code (scaffold.ts): each kind, written into an app that uses `encore.dev/*` and into one
 * that uses `reprise/*`, analyses with no diagnostic at all and adds exactly the resource asked for; appending to a
 * file that exists adds only the imports it lacks; names are refused with the analyser's rules.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { AppModel, TextEdit } from "@reprise/protocol";
import { analyze, scaffold, type ScaffoldRequest, type SourceInput } from "../src/index.js";

function offsetAt(text: string, line: number, character: number): number {
  let off = 0;
  for (let l = 0; l < line; l++) off = text.indexOf("\n", off) + 1;
  return off + character;
}

function apply(files: SourceInput[], edits: TextEdit[]): SourceInput[] {
  for (const e of edits) assert.equal(files.some((f) => f.path === e.file), !e.create, `${e.file}: create only new files, edit only existing ones`);
  const created = edits.filter((e) => e.create).map((e) => ({ path: e.file, text: "" }));
  return [...files, ...created].map((f) => {
    const mine = edits.filter((e) => e.file === f.path).sort((a, b) => offsetAt(f.text, b.range.start.line, b.range.start.character) - offsetAt(f.text, a.range.start.line, a.range.start.character));
    let text = f.text;
    for (const e of mine) text = text.slice(0, offsetAt(text, e.range.start.line, e.range.start.character)) + e.newText + text.slice(offsetAt(text, e.range.end.line, e.range.end.character));
    return { path: f.path, text };
  });
}

function app(family: "encore" | "reprise"): SourceInput[] {
  const m = (x: string) => (family === "encore" ? `encore.dev/${x}` : `reprise/${x}`);
  return [
    { path: `${family}.app`, text: '{ "id": "x" }' },
    { path: `users/${family}.service.ts`, text: `import { Service } from "${m("service")}";\n\nexport default new Service("users");\n` },
    { path: "users/users.ts", text: `import { api } from "${m("api")}";\n\nexport const get = api({ expose: true, method: "GET", path: "/users/:id" }, async ({ id }: { id: string }): Promise<{ id: string }> => {\n  return { id };\n});\n` },
    { path: "users/db.ts", text: `import { SQLDatabase } from "${m("storage/sqldb")}";\n\nexport const db = new SQLDatabase("users", { migrations: "./migrations" });\n` },
    { path: "users/migrations/1_init.up.sql", text: "CREATE TABLE users (id TEXT PRIMARY KEY);\n" },
  ];
}

function run(files: SourceInput[], req: ScaffoldRequest): { files: SourceInput[]; model: AppModel; file: string; line: string } {
  const exists = (p: string) => files.some((f) => f.path === p || f.path.startsWith(p + "/"));
  const r = scaffold(analyze(files).app, req, { read: (p) => files.find((f) => f.path === p)?.text, exists });
  assert.ok(r.ok, `scaffold ${req.kind} '${req.name}': ${r.ok ? "" : r.problem}`);
  const after = apply(files, r.edits);
  const model = analyze(after);
  assert.deepEqual(model.diagnostics.map((d) => `${d.file}:${d.range.start.line + 1} ${d.code} ${d.message}`), [], "the new code analyses clean");
  const text = after.find((f) => f.path === r.file)!.text;
  return { files: after, model, file: r.file, line: text.split("\n")[r.range.start.line] };
}

for (const family of ["encore", "reprise"] as const) {
  test(`${family}: every kind of resource is created clean, in the app's SDK family`, () => {
    let files = app(family);
    const svc = run(files, { kind: "service", name: "billing" });
    assert.equal(svc.file, `billing/${family}.service.ts`);
    assert.match(svc.line, /export default new Service\("billing"\)/);
    assert.ok(svc.model.app.services.some((s) => s.name === "billing"));
    files = svc.files;
    assert.match(files.find((f) => f.path === svc.file)!.text, new RegExp(`from "${family === "encore" ? "encore\\.dev" : "reprise"}/service"`));

    const ep = run(files, { kind: "endpoint", service: "billing", name: "charge", method: "post", path: "/billing/charge/:id" });
    const charge = ep.model.app.services.find((s) => s.name === "billing")!.endpoints.find((e) => e.name === "charge")!;
    assert.deepEqual([charge.method, charge.path], [["POST"], "/billing/charge/:id"]);
    assert.match(ep.line, /^export const charge = api\(/);
    files = ep.files;

    const topic = run(files, { kind: "topic", service: "billing", name: "invoice-paid", subscription: "send-receipt" });
    const t = topic.model.app.topics.find((x) => x.name === "invoice-paid")!;
    assert.deepEqual(t.subscriptions.map((s) => s.name), ["send-receipt"]);
    files = topic.files;

    const db = run(files, { kind: "database", service: "billing", name: "billing" });
    assert.ok(db.model.app.databases.some((d) => d.name === "billing" && d.migrations.files.length === 1));
    assert.ok(db.files.some((f) => f.path === "billing/migrations/1_init.up.sql"));
    files = db.files;

    const cron = run(files, { kind: "cron", service: "billing", name: "nightly-invoices", every: "24h" });
    const job = cron.model.app.cronJobs.find((c) => c.name === "nightly-invoices")!;
    assert.deepEqual(job.endpoint, { service: "billing", name: "nightlyInvoices" });
    files = cron.files;
    const cron2 = run(files, { kind: "cron", service: "billing", name: "refresh", schedule: "0 3 * * *", endpoint: "nightlyInvoices" });
    assert.equal(cron2.file, "billing/cron.ts");
    assert.deepEqual(cron2.model.app.cronJobs.find((c) => c.name === "refresh")!.endpoint, { service: "billing", name: "nightlyInvoices" });

    const bucket = run(files, { kind: "bucket", service: "billing", name: "invoices" });
    assert.ok(bucket.model.app.buckets.some((b) => b.name === "invoices"));
    files = bucket.files;

    const secret = run(files, { kind: "secret", service: "billing", name: "StripeKey" });
    assert.ok(secret.model.app.secrets.some((s) => s.name === "StripeKey"));
    files = secret.files;
    // A second secret is appended to secrets.ts without a second import.
    const second = run(files, { kind: "secret", service: "billing", name: "WebhookKey" });
    const text = second.files.find((f) => f.path === "billing/secrets.ts")!.text;
    assert.equal(text.match(/import \{ secret \}/g)?.length, 1, text);
    assert.match(second.line, /secret\("WebhookKey"\)/);
  });
}

test("appending to an existing file adds only the missing imports, before the body", () => {
  const files = app("encore");
  const r = run(files, { kind: "endpoint", service: "users", name: "list", path: "/users" });
  // users/list.ts is new; now append a second endpoint to it and a database to the existing users/db.ts.
  const again = run(r.files, { kind: "database", service: "users", name: "audit" });
  const db = again.files.find((f) => f.path === "users/db.ts")!.text;
  assert.equal(db.match(/import \{ SQLDatabase \}/g)?.length, 1);
  assert.match(db, /export const auditDB = new SQLDatabase\("audit", \{ migrations: "\.\/audit-migrations" \}\);/);
  const bucket = run(r.files, { kind: "cron", service: "users", name: "sweep", every: "30m", endpoint: "list" });
  const list = bucket.files.find((f) => f.path === "users/list.ts")!.text;
  assert.match(list, /^import \{ CronJob \} from "encore\.dev\/cron";\nimport \{ api \} from "encore\.dev\/api";/);
});

test("refusals use the analyser's name rules and say why", () => {
  const files = app("encore");
  const model = analyze(files).app;
  const files_ = { read: (p: string) => files.find((f) => f.path === p)?.text, exists: (p: string) => files.some((f) => f.path === p || f.path.startsWith(p + "/")) };
  const problem = (req: ScaffoldRequest) => {
    const r = scaffold(model, req, files_);
    assert.ok(!r.ok, `${req.kind} '${req.name}' is refused`);
    return r.problem;
  };
  assert.match(problem({ kind: "service", name: "users" }), /already exists/);
  assert.match(problem({ kind: "service", name: "delete" }), /reserved/);
  assert.match(problem({ kind: "service", name: "bad name" }), /not a valid service name/);
  assert.match(problem({ kind: "endpoint", service: "users", name: "get" }), /already has an endpoint 'get'/);
  assert.match(problem({ kind: "endpoint", service: "users", name: "byId", path: "/users/:key" }), /already served by users\.get/);
  assert.match(problem({ kind: "endpoint", service: "users", name: "x", path: "users" }), /must start with/);
  assert.match(problem({ kind: "endpoint", service: "nope", name: "x" }), /no service 'nope'/);
  assert.match(problem({ kind: "endpoint", name: "x" }), /which service/);
  assert.match(problem({ kind: "database", service: "users", name: "users" }), /already exists/);
  assert.match(problem({ kind: "bucket", service: "users", name: "Avatars" }), /not a valid bucket name/);
  assert.match(problem({ kind: "secret", service: "users", name: "Mail-Key" }), /not a valid secret name/);
  assert.match(problem({ kind: "cron", service: "users", name: "c", every: "7m" }), /divides 24 hours/);
  assert.match(problem({ kind: "cron", service: "users", name: "c", schedule: "* *" }), /5 fields/);
  assert.match(problem({ kind: "cron", service: "users", name: "c", endpoint: "missing" }), /no endpoint 'missing'/);
  assert.match(problem({ kind: "cron", service: "users", name: "c", endpoint: "get" }), /takes a request/);
  // An identifier the target file already uses is refused rather than shadowed.
  assert.match(problem({ kind: "topic", service: "users", name: "db", subscription: "x" }), /'db' is already used in users\/db\.ts|already used/);
});

test("a new secret also goes into the runtime config when the app keeps one that configures environments (no RP7006)", () => {
  const files = [...app("encore"), { path: "reprise.config.json", text: '{ "environments": { "local": {}, "production": {} } }\n' }];
  const r = run(files, { kind: "secret", service: "users", name: "StripeKey" });
  assert.equal(r.files.find((f) => f.path === "reprise.config.json")!.text, '{ "environments": { "local": {}, "production": { "secrets": { "StripeKey": "$env:STRIPE_KEY" } } } }\n');
});
