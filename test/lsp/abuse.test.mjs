// The language server under abuse, over real stdio: 1,000 edits in 10 s to one document (valid, broken, depth
// bombs, an oversized line), interleaved with opening and closing other documents, files created and deleted on
// disk, a folder renamed, and requests that throw. Afterwards the server is alive, its diagnostics equal a fresh
// `reprise check --json` of the same files, and its RSS stayed bounded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyFixture, repoRoot, startClient, treeRssMb, uriOf } from "./client.mjs";

const CREATED = 1;
const CHANGED = 2;
const DELETED = 3;
const bin = join(repoRoot, "cli", "bin", "reprise.mjs");

// The supervisor and the server it runs.
const rssMb = treeRssMb;

test("1,000 edits in 10 s with files opened, closed, created, deleted and a folder renamed: the server survives and agrees with reprise check", { timeout: 120_000 }, async () => {
  const app = copyFixture("basic");
  // SQL checks off (reprise.analysis.sql), and `check --no-sql` below: the embedded Postgres they start is a fixed
  // ~500 MB that would swamp the bound this test keeps on the analyser's and server's own growth under abuse. The
  // SQL path has its own LSP tests (test/lsp/sql.test.mjs).
  const client = await startClient({ rootDir: app.dir, initializationOptions: { debounceMs: 5, serverFileWatching: false }, settings: { analysis: { sql: false } } });
  try {
    const adminPath = join(app.dir, "users/admin.ts");
    const admin = uriOf(adminPath);
    await client.waitForDiagnostics(admin, (d) => d.length === 1);
    const rssStart = rssMb(client.child.pid);
    const original = readFileSync(adminPath, "utf8");
    const bomb = "export const deep = " + "[".repeat(5000) + "]".repeat(5000) + ";\n";
    const variants = [
      original,
      original.replace('"admin/ping"', '"/admin/ping"'),
      original.replace("async (): Promise", "async (: Promise"), // a syntax error
      original + bomb,
      original + "export const t = " + "`${".repeat(3000) + "1" + "}`".repeat(3000) + ";\n",
      original + "export const u = " + "(a<".repeat(2000) + "\n",
      "\ufeff" + original.replace(/\n/g, "\r\n") + "\u0000\ud800",
    ];
    const huge = original + "export const big = [" + "1,".repeat(1_100_000) + "];\n"; // over 2 MB: RP1006
    client.open(adminPath, original, 1);
    let version = 1;
    const watched = (changes) => client.notify("workspace/didChangeWatchedFiles", { changes: changes.map(([type, path]) => ({ type, uri: uriOf(path) })) });
    const otherDocs = ["users/users.ts", "blog/posts.ts", "users/topics.ts"].map((p) => join(app.dir, p));
    const requests = [];
    const started = performance.now();
    let renamed = false;
    for (let i = 0; i < 1000; i++) {
      version++;
      if (i % 97 === 50) {
        client.notify("textDocument/didChange", { textDocument: { uri: admin, version }, contentChanges: [{ text: huge }] });
      } else if (i % 3 === 0) {
        // An incremental edit: insert and remove a character at the top.
        client.notify("textDocument/didChange", { textDocument: { uri: admin, version }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: "x" }] });
        version++;
        client.notify("textDocument/didChange", { textDocument: { uri: admin, version }, contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, text: "" }] });
      } else {
        client.notify("textDocument/didChange", { textDocument: { uri: admin, version }, contentChanges: [{ text: variants[i % variants.length] }] });
      }
      if (i % 40 === 7) {
        const doc = otherDocs[(i / 40) % otherDocs.length | 0];
        client.open(doc, readFileSync(doc, "utf8"), 1);
        requests.push(client.request("textDocument/documentSymbol", { textDocument: { uri: uriOf(doc) } }));
      }
      if (i % 40 === 27) client.notify("textDocument/didClose", { textDocument: { uri: uriOf(otherDocs[(i / 40) % otherDocs.length | 0]) } });
      if (i % 50 === 13) {
        // A file appears, then goes away.
        const extra = join(app.dir, "users", `extra${i}.ts`);
        writeFileSync(extra, `import { api } from "encore.dev/api";\nexport const extra${i} = api({ path: "nope${i}" }, async () => {});\n`);
        watched([[CREATED, extra]]);
        if (i % 100 === 13) {
          rmSync(extra);
          watched([[DELETED, extra]]);
        }
      }
      if (i === 500 && !renamed) {
        // Rename the email service's folder: the watcher reports the old folder deleted and the new one created.
        renameSync(join(app.dir, "email"), join(app.dir, "mail"));
        watched([[DELETED, join(app.dir, "email")], [CREATED, join(app.dir, "mail")]]);
        renamed = true;
      }
      if (i % 25 === 0) {
        requests.push(client.request("textDocument/hover", { textDocument: { uri: admin }, position: { line: 2, character: 14 } }));
        requests.push(client.request("textDocument/codeLens", { textDocument: { uri: admin } }));
        // Requests whose handlers throw on malformed parameters: each must be an LSP error, never an exit.
        requests.push(client.request("textDocument/hover", { textDocument: { uri: admin }, position: null }).catch((e) => e));
        requests.push(client.request("textDocument/definition", { textDocument: null, position: { line: 0, character: 0 } }).catch((e) => e));
        requests.push(client.request("reprise/graph", { rootUri: 42 }).catch((e) => e));
      }
      // Pace: 1,000 edits over about 10 s.
      const due = started + (i + 1) * 10;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 20, `edits took ${seconds.toFixed(1)} s`);
    const answers = await Promise.all(requests);
    // Every request was answered (a result or an error response); none closed the connection.
    assert.equal(answers.length, requests.length);
    const errors = answers.filter((a) => a instanceof Error);
    for (const e of errors) assert.ok(typeof e.code === "number", `an LSP error response: ${e.message}`);
    assert.equal(client.child.exitCode, null, "the server is still running");

    // Settle: the final text of the document goes to disk too, so that `reprise check` sees the same files.
    const finalText = variants[1] + bomb;
    version++;
    client.notify("textDocument/didChange", { textDocument: { uri: admin, version }, contentChanges: [{ text: finalText }] });
    writeFileSync(adminPath, finalText);
    for (const doc of otherDocs) client.notify("textDocument/didClose", { textDocument: { uri: uriOf(doc) } });
    const [graph] = await client.request("reprise/graph", {});
    const rssEnd = rssMb(client.child.pid);

    const check = spawnSync(process.execPath, [bin, "check", app.dir, "--json", "--no-sql"], { encoding: "utf8", maxBuffer: 64 << 20 });
    assert.ok(check.status === 0 || check.status === 1, check.stderr);
    const fresh = JSON.parse(check.stdout);
    const key = (d) => `${d.file} ${d.code} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`;
    assert.deepEqual(graph.model.diagnostics.map(key).sort(), fresh.diagnostics.map(key).sort());
    assert.deepEqual(graph.model, fresh);
    // The deep file is reported where the nesting passes the limit; the renamed service is analysed under its new folder.
    assert.ok(fresh.diagnostics.some((d) => d.code === "RP1005" && d.file === "users/admin.ts"));
    assert.ok(fresh.app.services.some((s) => s.name === "email"));

    // What the client was sent last for each file equals the check's diagnostics for it.
    const byFile = new Map();
    for (const d of fresh.diagnostics) byFile.set(d.file, [...(byFile.get(d.file) ?? []), `${d.code} ${d.range.start.line}:${d.range.start.character}`]);
    await client.waitFor(() => {
      for (const [file, want] of byFile) {
        const got = client.diagnostics.get(uriOf(join(app.dir, file)));
        if (!got || JSON.stringify(got.diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`).sort()) !== JSON.stringify([...want].sort())) return false;
      }
      return true;
    }, "published diagnostics equal to reprise check's");
    for (const [uri, p] of client.diagnostics) {
      const file = uri.slice(uriOf(app.dir).length + 1);
      if (!byFile.has(decodeURIComponent(file))) assert.deepEqual(p.diagnostics, [], `${file} has no diagnostics left`);
    }
    console.log(`abuse: ${version} versions in ${seconds.toFixed(1)} s, ${requests.length} requests (${errors.length} error responses), RSS ${rssStart.toFixed(0)} → ${rssEnd.toFixed(0)} MB`);
    assert.ok(rssEnd < 500, `RSS ${rssEnd.toFixed(0)} MB`);
    assert.ok(rssEnd - rssStart < 300, `RSS grew from ${rssStart.toFixed(0)} to ${rssEnd.toFixed(0)} MB`);
    assert.equal(await client.shutdown().then((r) => r.code), 0);
  } finally {
    client.kill();
    app.cleanup();
  }
});
