/**
 * A tiny file snapshot helper (Node 20's node:test has no snapshots): compares against
 * protocol/test/snapshots/<name>, or (re)writes it when UPDATE_SNAPSHOTS=1.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// Compiled to protocol/dist/test/; snapshots live beside the sources.
const SNAPSHOTS = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "test", "snapshots");

export function matchSnapshot(name: string, actual: string): void {
  const file = join(SNAPSHOTS, name);
  if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(file)) {
    if (process.env.CI && !existsSync(file)) assert.fail(`snapshot ${name} is missing (run with UPDATE_SNAPSHOTS=1 and commit it)`);
    mkdirSync(SNAPSHOTS, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, "utf8"), `snapshot ${name} differs (UPDATE_SNAPSHOTS=1 to accept)`);
}
