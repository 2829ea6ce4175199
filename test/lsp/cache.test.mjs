// The language server's warm start (language-server.ts loadRoot, analyzer/src/node/cache.ts): the first load of an
// app whose files match the analysis cache publishes the cached diagnostics before analysing; the analysis then
// replaces them. A miss analyses and writes the cache.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startClient, uriOf } from "./client.mjs";

const ON = { REPRISE_CACHE: "1" };

function app() {
  const dir = mkdtempSync(join(tmpdir(), "reprise-lsp-cache-"));
  mkdirSync(join(dir, "svc"));
  writeFileSync(join(dir, "encore.app"), '{ "id": "warm" }');
  writeFileSync(join(dir, "svc/encore.service.ts"), 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n');
  // RP2001: the path must start with '/'.
  writeFileSync(join(dir, "svc/bad.ts"), 'import { api } from "encore.dev/api";\nexport const ping = api({ path: "ping" }, async () => {});\n');
  writeFileSync(join(dir, "svc/good.ts"), 'import { api } from "encore.dev/api";\nexport const pong = api({ path: "/pong" }, async () => {});\n');
  return dir;
}

const publishes = (client, uri) => client.notifications.filter((n) => n.method === "textDocument/publishDiagnostics" && n.params.uri === uri).map((n) => n.params.diagnostics);

test("a warm start publishes the cached diagnostics first, then the analysis's own", async () => {
  const dir = app();
  const bad = uriOf(join(dir, "svc/bad.ts"));
  const good = uriOf(join(dir, "svc/good.ts"));
  const cacheFile = join(dir, ".reprise", "cache", "analysis.json");
  try {
    // Cold: analysed, cache written.
    let client = await startClient({ rootDir: dir, env: ON });
    await client.waitForDiagnostics(bad, (d) => d.some((x) => x.code === "RP2001"));
    await client.shutdown();
    assert.ok(existsSync(cacheFile), "the first load writes the cache");

    // Mark the cached entry so its publish can be told from the analysis's: a changed message on bad.ts and a
    // diagnostic on good.ts, which is clean.
    const v = JSON.parse(readFileSync(cacheFile, "utf8"));
    const d = v.model.diagnostics.find((x) => x.code === "RP2001");
    d.message = "from the cache";
    v.model.diagnostics.push({ ...d, file: "svc/good.ts", message: "cached only" });
    writeFileSync(cacheFile, JSON.stringify(v));

    client = await startClient({ rootDir: dir, env: ON });
    await client.waitForDiagnostics(good, (d) => d.length === 0);
    await client.waitForDiagnostics(bad, (d) => d.some((x) => x.code === "RP2001" && x.message !== "from the cache"));
    const onBad = publishes(client, bad);
    assert.equal(onBad[0][0].message, "from the cache", "the cached diagnostics come first");
    const onGood = publishes(client, good);
    assert.deepEqual(onGood.map((l) => l.map((x) => x.message)), [["cached only"], []], "the analysis clears what only the cache had");
    await client.shutdown();

    // A changed file is a miss: only the analysis publishes.
    writeFileSync(join(dir, "svc/good.ts"), readFileSync(join(dir, "svc/good.ts"), "utf8") + "\n");
    client = await startClient({ rootDir: dir, env: ON });
    await client.waitForDiagnostics(bad, (d) => d.some((x) => x.code === "RP2001"));
    assert.ok(publishes(client, bad).every((l) => l.every((x) => x.message !== "from the cache")));
    assert.equal(publishes(client, good).length, 0, "a clean file the client never saw diagnostics for gets no publish");
    await client.shutdown();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
