/**
 * Snapshot tests: each folder under test/fixtures (and each app under examples/) is analysed from disk and the
 * whole model + diagnostics compared with test/snapshots/<name>.snapshot.json. `UPDATE_SNAPSHOTS=1` rewrites them;
 * review the diff by eye.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadAppFiles } from "../src/node/index.js";
import { check, snapshotApps, SNAPSHOTS_DIR } from "./support/check.js";

const update = process.env.UPDATE_SNAPSHOTS === "1";

for (const app of snapshotApps()) {
  test(`snapshot ${app.name}`, () => {
    const result = check(loadAppFiles(app.root));
    const actual = JSON.stringify(result.model, null, 2) + "\n";
    const file = join(SNAPSHOTS_DIR, `${app.name}.snapshot.json`);
    if (update || !existsSync(file)) {
      writeFileSync(file, actual);
      if (!update) assert.fail(`wrote new snapshot ${file}; review it and rerun`);
      return;
    }
    assert.equal(actual, readFileSync(file, "utf8"), `snapshot ${app.name} differs; rerun with UPDATE_SNAPSHOTS=1 and review the diff`);
  });
}
