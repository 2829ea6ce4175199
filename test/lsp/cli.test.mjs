// `reprise lsp` (the CLI entry) starts the same server: stdio by default, and bad flags are a usage error.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fixtures, repoRoot, startClient, uriOf } from "./client.mjs";

const bin = join(repoRoot, "cli", "bin", "reprise.mjs");

test("reprise lsp serves diagnostics over stdio and exits cleanly", async () => {
  const root = join(fixtures, "basic");
  const client = await startClient({ rootDir: root, args: [bin, "lsp"] });
  try {
    assert.equal(client.initializeResult.serverInfo.name, "reprise-language-server");
    const d = await client.waitForDiagnostics(uriOf(join(root, "users/admin.ts")), (x) => x.length === 1);
    assert.equal(d.diagnostics[0].code, "RP2001");
    assert.deepEqual(await client.shutdown(), { code: 0, signal: null });
  } finally {
    client.kill();
  }
});

test("reprise lsp rejects unknown options with exit code 2", () => {
  const r = spawnSync(process.execPath, [bin, "lsp", "--tcp"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option '--tcp'/);
});
