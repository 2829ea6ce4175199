// A native crash of the parser (swc dying with SIGSEGV on a file the guards did not foresee) does not end the
// editor's session: the supervisor restarts the server, the file that killed it is parsed in a child process from
// then on and reported as RP1007, requests in flight get an error response, and the rest of the app is analysed.
// The crash is real (the parsing process kills itself with SIGSEGV), triggered by a marker the server honours
// only when REPRISE_TEST_NATIVE_CRASH_MARKER is set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { copyFixture, startClient, uriOf } from "./client.mjs";

const MARKER = "REPRISE_TEST_SIGSEGV";

test("a file that crashes the parser natively is reported as RP1007 and the server keeps serving", { timeout: 60_000 }, async () => {
  const app = copyFixture("basic");
  const killer = join(app.dir, "users/killer.ts");
  writeFileSync(killer, `// ${MARKER}\nexport const k = 1;\n`);
  const client = await startClient({ rootDir: app.dir, initializationOptions: { debounceMs: 5 }, env: { REPRISE_TEST_NATIVE_CRASH_MARKER: MARKER } });
  try {
    // The first server dies loading the app; the second parses killer.ts in a child, which dies too: RP1007.
    const crashed = await client.waitForDiagnostics(uriOf(killer), (d) => d.some((x) => x.code === "RP1007"), 0, 30_000);
    assert.match(crashed.diagnostics[0].message, /crashed the parser \(SIGSEGV\)/);
    const adminPath = join(app.dir, "users/admin.ts");
    const admin = uriOf(adminPath);
    await client.waitForDiagnostics(admin, (d) => d.length === 1 && d[0].code === "RP2001");
    assert.ok(client.logs.some((l) => /died \(SIGSEGV\) while parsing .*killer\.ts/.test(l)), client.logs.join("\n"));

    // An open document starts crashing the parser: the request that forces the analysis gets an error response.
    const text = readFileSync(adminPath, "utf8");
    client.open(adminPath, text, 1);
    client.notify("textDocument/didChange", { textDocument: { uri: admin, version: 2 }, contentChanges: [{ text: `// ${MARKER}\n${text}` }] });
    const answer = await client.request("reprise/graph", {}).then((r) => r, (e) => e);
    assert.ok(answer instanceof Error && /died \(SIGSEGV\)/.test(answer.message), String(answer?.message ?? JSON.stringify(answer).slice(0, 200)));
    // The restarted server got the open document replayed; it parses admin.ts in isolation: RP1007 there now.
    await client.waitForDiagnostics(admin, (d) => d.length === 1 && d[0].code === "RP1007", 0, 30_000);
    // Editing it so that it parses again: its real diagnostics come back (parsed in the child, without a crash).
    const since = client.mark();
    client.notify("textDocument/didChange", { textDocument: { uri: admin, version: 3 }, contentChanges: [{ text }] });
    await client.waitForDiagnostics(admin, (d) => d.length === 1 && d[0].code === "RP2001", since, 30_000);
    // Requests work, against the current state.
    const [graph] = await client.request("reprise/graph", {});
    assert.ok(graph.model.app.services.some((s) => s.name === "users"));
    assert.equal(client.child.exitCode, null);
    assert.equal(await client.shutdown().then((r) => r.code), 0);
  } finally {
    client.kill();
    app.cleanup();
  }
});
