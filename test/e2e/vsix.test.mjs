// `npm run package` really produces an installable .vsix: it runs the packaging, then reads the zip's central
// directory and checks the extension bundle, the language server bundle, the webviews, the SDK, the parser's
// native binary and the runtime addon are inside, and that the file stays under the size budget.
//
// Size budget: 36 MB. Measured 2026-12-02 (compressed, in the .vsix): @swc/core's linux-x64 binary 9.9 MB (the
// analyzer's parser, for the bundled language server and the CLI), @electric-sql/pglite 7.5 MB (the SDK's embedded
// Postgres for apps without a database server), the Rust runtime addon 6.2 MB (stripped release cdylib),
// esbuild's linux-x64 binary 4.5 MB (`reprise run` bundles the app with it), mermaid's browser build 1.5 MB, the
// JS bundles and packages ~0.6 MB: 30.2 MB in all. 36 MB is that plus ~20% for growth, and still catches an
// accidental node_modules, unstripped addon or source-map dump (each 10+ MB).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const version = JSON.parse(readFileSync(join(root, "extension/package.json"), "utf8")).version;
const vsix = join(root, `reprise-${version}-linux-x64.vsix`);
const MAX_BYTES = 36 * 1024 * 1024;
const haveAddon = existsSync(join(root, "runtime/sdk/native")) && readdirSync(join(root, "runtime/sdk/native")).some((f) => f.endsWith(".node"));

/** Zip central directory → [{ name, size, method, offset }] (enough for listing and reading small entries). */
function zipEntries(buf) {
  let eocd = buf.length - 22;
  while (eocd >= 0 && buf.readUInt32LE(eocd) !== 0x06054b50) eocd--;
  assert.ok(eocd >= 0, "not a zip file (no end of central directory)");
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, "bad central directory entry");
    const method = buf.readUInt16LE(p + 10);
    const csize = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    out.push({ name: buf.toString("utf8", p + 46, p + 46 + nameLen), size, csize, method, offset });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}
function readEntry(buf, e) {
  const start = e.offset + 30 + buf.readUInt16LE(e.offset + 26) + buf.readUInt16LE(e.offset + 28);
  const data = buf.subarray(start, start + e.csize);
  return e.method === 8 ? inflateRawSync(data) : data;
}

let lastNames = null;
let lastVsix = null;
const STRICT = process.env.REPRISE_E2E_STRICT === "1";

test("npm run package writes a linux-x64 .vsix with the server, CLI, webviews, SDK and parser binary, under 36 MB", { timeout: 300_000 }, () => {
  const r = spawnSync("npm", ["run", "package", "--silent"], { cwd: root, encoding: "utf8" });
  assert.equal(r.status, 0, `npm run package failed:\n${r.stdout}\n${r.stderr}`);
  assert.ok(existsSync(vsix), `${vsix} was not written`);
  const size = statSync(vsix).size;
  assert.ok(size < MAX_BYTES, `vsix is ${(size / 1048576).toFixed(1)} MB, budget ${MAX_BYTES / 1048576} MB`);
  const buf = readFileSync(vsix);
  const entries = zipEntries(buf);
  const names = new Set(entries.map((e) => e.name));
  for (const required of [
    "extension.vsixmanifest",
    "extension/package.json",
    "extension/dist/extension.js",
    "extension/dist/server.mjs",
    "extension/dist/node_modules/@reprise/cli/bin/reprise.mjs",
    "extension/dist/node_modules/@reprise/analyzer/package.json",
    "extension/dist/node_modules/esbuild/package.json",
    "extension/dist/node_modules/@esbuild/linux-x64/package.json",
    "extension/dist/media/diagram.js",
    "extension/dist/media/api-explorer.js",
    "extension/dist/media/mermaid.min.js",
    "extension/dist/node_modules/@swc/core/package.json",
    "extension/dist/node_modules/@swc/core-linux-x64-gnu/package.json",
    "extension/dist/node_modules/reprise/package.json",
  ]) assert.ok(names.has(required), `${required} missing from the vsix`);
  assert.ok([...names].some((n) => /^extension\/dist\/node_modules\/@swc\/core-linux-x64-gnu\/.*\.node$/.test(n)), "swc native binary missing");
  assert.ok([...names].some((n) => n.startsWith("extension/dist/node_modules/reprise/dist/")), "SDK build output missing");
  // Every diagnostic code's docs page ships beside the server, which links each diagnostic to it (offline).
  const pages = readdirSync(join(root, "docs/diagnostics")).filter((f) => /^RP\d{4}\.md$/.test(f));
  assert.ok(pages.length > 100);
  for (const page of pages) assert.ok(names.has(`extension/dist/docs/diagnostics/${page}`), `docs page ${page} missing from the vsix`);
  lastNames = names;
  lastVsix = { buf, entries };
  // PGlite (the SQL checks' embedded Postgres) ships beside the server, with its wasm, data and contrib bundles.
  for (const f of ["package.json", "dist/index.js", "dist/pglite.wasm", "dist/pglite.data", "dist/pg_trgm.tar.gz"]) {
    assert.ok(names.has(`extension/dist/node_modules/@electric-sql/pglite/${f}`), `@electric-sql/pglite/${f} missing from the vsix`);
  }
  assert.ok(![...names].some((n) => n.endsWith(".map") || /\/(src|test)\/.*\.ts$/.test(n)), "no source maps or TS sources in the vsix");
  const manifest = readEntry(buf, entries.find((e) => e.name === "extension.vsixmanifest")).toString("utf8");
  assert.match(manifest, /TargetPlatform="linux-x64"/);
  const pkg = JSON.parse(readEntry(buf, entries.find((e) => e.name === "extension/package.json")).toString("utf8"));
  assert.equal(pkg.main, "./dist/extension.js");
  assert.equal(pkg.devDependencies, undefined);
});

// The addon is built by the runtime's build:native (npm install). Until that lands this check is skipped,
// loudly; REPRISE_E2E_STRICT=1 makes its absence a failure.
test("the .vsix carries the runtime addon (runtime/sdk/native/*.node)", {
  skip: haveAddon || STRICT ? false : "runtime/sdk/native/*.node is not built yet (runtime build:native); set REPRISE_E2E_STRICT=1 to require it",
}, () => {
  assert.ok(haveAddon, "runtime/sdk/native/*.node is not built, so the .vsix cannot carry the runtime addon");
  assert.ok(lastNames, "the packaging test did not run");
  assert.ok([...lastNames].some((n) => /^extension\/dist\/node_modules\/reprise\/native\/.*\.node$/.test(n)), "runtime addon missing from the vsix");
});

// The packaged server, unpacked outside the repository (so nothing resolves from the repository's node_modules),
// checks SQL over stdio: the PGlite it loads is the one shipped beside it.
test("the packaged language server checks SQL with the PGlite shipped in the .vsix", { timeout: 300_000 }, async () => {
  assert.ok(lastVsix, "the packaging test did not run");
  const { startClient, uriOf } = await import("../lsp/client.mjs");
  const dir = mkdtempSync(join(tmpdir(), "reprise-vsix-sql-"));
  let client;
  try {
    for (const e of lastVsix.entries) {
      if (!e.name.startsWith("extension/dist/") || e.name.endsWith("/")) continue;
      const out = join(dir, e.name);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, readEntry(lastVsix.buf, e));
    }
    const app = join(dir, "app");
    mkdirSync(join(app, "svc", "migrations"), { recursive: true });
    writeFileSync(join(app, "encore.app"), '{ "id": "vsix-sql" }');
    writeFileSync(join(app, "svc", "encore.service.ts"), 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n');
    writeFileSync(join(app, "svc", "db.ts"), 'import { SQLDatabase } from "encore.dev/storage/sqldb";\nexport const db = new SQLDatabase("svc", { migrations: "./migrations" });\n');
    writeFileSync(join(app, "svc", "migrations", "1_t.up.sql"), "CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE TABLE t (id INT PRIMARY KEY, v TEXT);\n");
    writeFileSync(join(app, "svc", "api.ts"), 'import { db } from "./db";\nexport async function f() {\n  await db.queryRow`SELECT nope FROM t WHERE v % ${"x"}`;\n}\n');
    client = await startClient({ rootDir: app, args: [join(dir, "extension", "dist", "server.mjs"), "--stdio"], initializationOptions: { debounceMs: 5 } });
    const got = await client.waitForDiagnostics(uriOf(join(app, "svc", "api.ts")), (d) => d.some((x) => x.code === "RP4102"), 0, 240_000);
    assert.deepEqual(got.diagnostics.filter((d) => d.code?.startsWith?.("RP41")).map((d) => `${d.code} ${d.message.replace(/ \(Postgres.*$/, "")}`), ['RP4102 column "nope" does not exist']);
  } finally {
    client?.kill();
    rmSync(dir, { recursive: true, force: true });
  }
});
