/**
 * The analysis cache (analyzer/src/node/cache.ts) as `reprise check` uses it: a second run on unchanged files
 * answers from `.reprise/cache/analysis.json`; any change to a file, or a corrupt entry, analyses again;
 * REPRISE_CACHE=0 neither reads nor writes it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(repo, "cli", "bin", "reprise.mjs");

function reprise(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1", REPRISE_CACHE: "", ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function app(): string {
  const dir = mkdtempSync(join(tmpdir(), "reprise-cache-"));
  mkdirSync(join(dir, "svc"));
  writeFileSync(join(dir, "encore.app"), '{ "id": "cached" }');
  writeFileSync(join(dir, "svc/encore.service.ts"), 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n');
  writeFileSync(join(dir, "svc/api.ts"), 'import { api } from "encore.dev/api";\nexport const ping = api({ path: "/ping", method: "GET" }, async () => {});\n');
  return dir;
}

/** Rewrites the cached model's app id, so a run that prints it must have read the cache. */
function tamper(dir: string, id: string): void {
  const file = join(dir, ".reprise", "cache", "analysis.json");
  const v = JSON.parse(readFileSync(file, "utf8"));
  v.model.app.id = id;
  writeFileSync(file, JSON.stringify(v));
}

test("a second check on unchanged files answers from the cache; a changed file analyses again", () => {
  const dir = app();
  try {
    const first = reprise(["check", dir, "--no-sql"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /app 'cached'/);
    assert.ok(existsSync(join(dir, ".reprise", "cache", "analysis.json")), "the first run writes the cache");

    tamper(dir, "from-cache");
    const second = reprise(["check", dir, "--no-sql"]);
    assert.match(second.stdout, /app 'from-cache'/, "unchanged files: the cached result");

    // One byte more in one file: a different key, a real analysis (which also replaces the entry).
    writeFileSync(join(dir, "svc/api.ts"), readFileSync(join(dir, "svc/api.ts"), "utf8") + "\n");
    const third = reprise(["check", dir, "--no-sql"]);
    assert.match(third.stdout, /app 'cached'/);
    // A new file (even one the analyser gets no text for) changes the key too.
    tamper(dir, "from-cache");
    writeFileSync(join(dir, "svc/notes.txt"), "x");
    assert.match(reprise(["check", dir, "--no-sql"]).stdout, /app 'cached'/);

    // Other analyser options: another key.
    tamper(dir, "from-cache");
    assert.match(reprise(["check", dir, "--no-sql", "--max-nesting-depth", "400"]).stdout, /app 'cached'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a corrupt cache entry is a miss; REPRISE_CACHE=0 neither reads nor writes", () => {
  const dir = app();
  try {
    assert.equal(reprise(["check", dir, "--no-sql"]).code, 0);
    const file = join(dir, ".reprise", "cache", "analysis.json");
    writeFileSync(file, readFileSync(file, "utf8").slice(0, 120));
    const r = reprise(["check", dir, "--no-sql"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /app 'cached'/);

    tamper(dir, "from-cache");
    assert.match(reprise(["check", dir, "--no-sql"], { REPRISE_CACHE: "0" }).stdout, /app 'cached'/, "off: not read");
    rmSync(join(dir, ".reprise"), { recursive: true });
    reprise(["check", dir, "--no-sql"], { REPRISE_CACHE: "0" });
    assert.ok(!existsSync(join(dir, ".reprise")), "off: not written");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
