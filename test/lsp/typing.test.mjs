// Rapid typing: 1,000 didChange notifications in one burst. The server must survive, coalesce the burst (far fewer
// publishes than edits) and end with exactly the diagnostics a fresh analysis of the final text gives.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyze } from "@reprise/analyzer";
import { loadAppFiles } from "@reprise/analyzer/node";
import { fixtures, startClient, uriOf } from "./client.mjs";

const root = join(fixtures, "basic");

function typedText() {
  let s = "";
  for (let i = 0; ; i++) {
    const decl = `\nexport const e${i} = api({ method: "${i % 3 === 0 ? "get" : "GET"}", path: "${i % 2 ? "/" : ""}e${i}/:id" }, async ({ id }: { id: string }) => ({ id }));`;
    if (s.length + decl.length + 3 > 1000) break;
    s += decl;
  }
  s += "\n//";
  while (s.length < 1000) s += "x";
  return s.slice(0, 1000);
}

const essential = (d) => ({ code: d.code, message: d.message, range: d.range });

test("1,000 didChange notifications in a burst end with the diagnostics of a fresh analysis", async () => {
  const rel = "users/users.ts";
  const path = join(root, rel);
  const uri = uriOf(path);
  const original = readFileSync(path, "utf8");
  const lines = original.split("\n");
  const client = await startClient({ rootDir: root });
  try {
    await client.request("reprise/graph", {});
    client.open(path, original, 1);
    const typed = typedText();
    let line = lines.length - 1;
    let character = lines[line].length;
    const since = client.mark();
    for (let i = 0; i < typed.length; i++) {
      const ch = typed[i];
      client.notify("textDocument/didChange", {
        textDocument: { uri, version: i + 2 },
        contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: ch }],
      });
      if (ch === "\n") (line++, (character = 0));
      else character++;
    }
    const last = await client.waitForDiagnostics(uri, (d, p) => p.version === typed.length + 1, since, 30000);
    const [entry] = await client.request("reprise/graph", {}); // also flushes any publication still in flight
    const published = client.notifications.slice(since).filter((n) => n.method === "textDocument/publishDiagnostics" && n.params.uri === uri);
    assert.ok(published.length < 100, `the burst was coalesced (${published.length} publishes for 1,000 edits)`);

    const finalText = original + typed;
    const files = loadAppFiles(root).map((f) => (f.path === rel ? { path: rel, text: finalText } : f));
    const fresh = analyze(files);
    const expected = fresh.diagnostics.filter((d) => d.file === rel).map(essential);
    assert.ok(expected.length > 0, "the typed text has problems to report");
    assert.deepEqual(last.diagnostics.map(essential), expected);
    // Every other file's latest publication matches too.
    for (const f of new Set(fresh.diagnostics.map((d) => d.file))) {
      const got = client.diagnostics.get(uriOf(join(root, f)))?.diagnostics ?? [];
      assert.deepEqual(got.map(essential), fresh.diagnostics.filter((d) => d.file === f).map(essential), f);
    }
    assert.deepEqual(
      entry.model.app.services.flatMap((s) => s.endpoints.map((e) => `${s.name}.${e.name} ${e.path}`)),
      fresh.app.services.flatMap((s) => s.endpoints.map((e) => `${s.name}.${e.name} ${e.path}`)),
    );
    assert.equal(client.child.exitCode, null, "still running");
  } finally {
    client.kill();
  }
});
