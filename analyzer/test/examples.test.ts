/**
 * Real apps must analyse cleanly: every app under examples/ has zero error diagnostics, and so does every app of
 * a checkout of encoredev/examples when ENCORE_EXAMPLES_DIR points at its ts/ folder (skipped otherwise).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { findAppRoots, loadAppFiles } from "../src/node/index.js";
import { check, EXAMPLES_DIR } from "./support/check.js";

function errorsOf(root: string): string[] {
  const model = check(loadAppFiles(root)).model;
  return model.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code} ${d.message}`);
}

test("every example app has zero errors", () => {
  const roots = findAppRoots(EXAMPLES_DIR);
  assert.ok(roots.length >= 3, `found ${roots.length} example apps`);
  for (const r of roots) assert.deepEqual(errorsOf(r), [], r);
});

const encoreDir = process.env.ENCORE_EXAMPLES_DIR;
test("encoredev/examples apps have zero errors", { skip: !encoreDir || !existsSync(encoreDir) ? "set ENCORE_EXAMPLES_DIR to a checkout's ts/ folder" : false }, () => {
  const roots = findAppRoots(encoreDir!);
  assert.ok(roots.length > 0);
  const failures = roots.map((r) => ({ r, errors: errorsOf(r) })).filter((x) => x.errors.length);
  assert.deepEqual(failures, []);
});
