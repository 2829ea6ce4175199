// `reprise mcp` over real stdio with the official SDK's client (@modelcontextprotocol/sdk): initialize, tools/list,
// resources; the app model, diagnostics and applying a quick fix without a running app (the app-needing tools then
// say to start it); and calls against a running fixture app (endpoints, SQL read-only, migrations, publish, buckets,
// traces).
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { root, startApp, until } from "../http/helpers.mjs";

const cli = join(root, "cli", "bin", "reprise.mjs");

async function connect(t, appDir) {
  const transport = new StdioClientTransport({ command: process.execPath, args: [cli, "mcp", appDir], stderr: "pipe", env: { ...process.env, REPRISE_CACHE: "0" } });
  const client = new Client({ name: "reprise-test", version: "1.0.0" });
  await client.connect(transport);
  t.after(() => client.close());
  const call = async (name, args = {}) => {
    const r = await client.callTool({ name, arguments: args });
    const text = r.content.map((c) => c.text).join("");
    return { isError: r.isError === true, text, value: r.isError ? null : JSON.parse(text) };
  };
  return { client, call };
}

function copyApp(t, extra = {}) {
  const base = mkdtempSync(join(tmpdir(), "reprise-mcp-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, "app");
  cpSync(join(root, "test", "infra", "fixtures", "admin-data-app"), dir, { recursive: true });
  for (const [file, text] of Object.entries(extra)) writeFileSync(join(dir, file), text);
  return dir;
}

const LATE = `import { Bucket } from "reprise/storage/objects";

export function make() {
  const late = new Bucket("late");
  return late;
}
`;

test("reprise mcp without a running app: model, diagnostics, a quick fix applied; the rest says to start the app", { timeout: 60_000 }, async (t) => {
  const dir = copyApp(t, { "store/late.ts": LATE });
  const { client, call } = await connect(t, dir);
  assert.equal(client.getServerVersion()?.name, "reprise");
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((x) => x.name).sort(), [
    "app_model", "apply_fix", "bucket_list", "call_endpoint", "cron_list", "cron_run", "db_query", "db_schema", "diagnostics",
    "list_endpoints", "migrations_status", "publish", "trace_get", "traces_list",
  ]);
  for (const tool of tools) assert.equal(tool.inputSchema.type, "object", tool.name);

  const model = await call("app_model");
  assert.equal(model.value.version, 1);
  assert.deepEqual(model.value.app.databases.map((d) => d.name), ["shop"]);
  const eps = await call("list_endpoints");
  assert.deepEqual(eps.value.endpoints, [{ service: "store", name: "count", methods: ["GET"], path: "/count", expose: true, auth: false, raw: false }]);

  const diags = await call("diagnostics");
  const moved = diags.value.diagnostics.find((d) => d.code === "RP1040");
  assert.ok(moved, JSON.stringify(diags.value));
  assert.equal(moved.file, "store/late.ts");
  assert.equal(moved.docs, "reprise://diagnostics/RP1040");
  assert.ok(moved.fixes.length >= 1);
  const wrongCode = await call("apply_fix", { diagnostic: moved.index, fix: 0, code: "RP9999" });
  assert.equal(wrongCode.isError, true);
  assert.equal(readFileSync(join(dir, "store/late.ts"), "utf8"), LATE, "a refused fix changes nothing");
  const fixed = await call("apply_fix", { diagnostic: moved.index, fix: 0, code: "RP1040" });
  assert.equal(fixed.isError, false, fixed.text);
  assert.deepEqual(fixed.value.files, ["store/late.ts"]);
  assert.equal(fixed.value.diagnostics.some((d) => d.code === "RP1040"), false);
  const text = readFileSync(join(dir, "store/late.ts"), "utf8");
  assert.ok(text.indexOf('new Bucket("late")') < text.indexOf("export function make"), text);

  const resources = await client.listResources();
  const rp1040 = resources.resources.find((r) => r.uri === "reprise://diagnostics/RP1040");
  assert.ok(rp1040);
  const doc = await client.readResource({ uri: rp1040.uri });
  assert.match(doc.contents[0].text, /RP1040/);

  for (const [name, args] of [["db_schema", { database: "shop" }], ["traces_list", {}], ["publish", { topic: "jobs", message: { id: 1 } }]]) {
    const r = await call(name, args);
    assert.equal(r.isError, true, name);
    assert.match(r.text, /reprise run/, name);
  }
});

test("reprise mcp against a running app: endpoints, read-only SQL, migrations, publish, buckets, traces", { timeout: 120_000 }, async (t) => {
  const dir = copyApp(t);
  const app = await startApp(t, dir, { env: { REPRISE_TRACE_SAMPLE_RATE: "1" } });
  const { call } = await connect(t, dir);

  const res = await call("call_endpoint", { method: "GET", path: "/count" });
  assert.equal(res.value.status, 200);
  assert.deepEqual(res.value.body, { items: 30 });
  assert.match(res.value.traceId, /^[0-9a-f]{32}$/);

  const schema = await call("db_schema", { database: "shop" });
  assert.ok(schema.value.tables.some((x) => x.name === "items" && x.rowCount === 30));
  const q = await call("db_query", { database: "shop", sql: "SELECT name FROM items WHERE id = $1", params: [2] });
  assert.deepEqual(q.value.rows, [["item 002"]]);
  const w = await call("db_query", { database: "shop", sql: "DELETE FROM items" });
  assert.equal(w.isError, true);
  assert.match(w.text, /read-only/);
  assert.deepEqual((await (await fetch(`${app.url}/count`)).json()).items, 30);

  const mig = await call("migrations_status", { database: "shop" });
  assert.deepEqual(mig.value.migrations.map((m) => m.state), ["applied", "applied"]);
  const pub = await call("publish", { topic: "jobs", message: { id: 3 } });
  assert.equal(typeof pub.value.messageId, "string");
  const bad = await call("publish", { topic: "jobs", message: { id: "x" } });
  assert.equal(bad.isError, true);

  await app.tool("/__reprise/admin/buckets/files/object?key=hello.txt", { method: "PUT", body: "hi" });
  const objs = await call("bucket_list", { bucket: "files" });
  assert.deepEqual(objs.value.objects.map((o) => o.key), ["hello.txt"]);
  assert.deepEqual((await call("cron_list")).value, { jobs: [] });

  const traces = await until(async () => {
    const r = await call("traces_list", { limit: 50 });
    return r.value?.traces?.length ? r.value.traces : null;
  }, { what: "a stored trace" });
  const one = await call("trace_get", { id: traces[0].traceId });
  assert.equal(one.isError, false, one.text);
  assert.equal(one.value.traceId, traces[0].traceId);
});
