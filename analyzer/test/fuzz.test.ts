/**
 * The seeded fuzz of `npm test`: 500 hostile mutations (depth bombs of every nesting shape, ~2 MB single lines,
 * NUL and control bytes, lone surrogates, a BOM, CRLF, truncation at sixteenths, and the everyday edits), each
 * analysed in a child process so that a native crash is counted and named. Goal: no crash, no hang, no internal
 * error. `node bench/fuzz.mjs` runs 10,000 of the same jobs. A failing job reproduces with its seed and index
 * (fuzzJob in support/mutations.ts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runFuzz } from "./support/fuzz-runner.js";

const SEED = 20261207;

test("500 seeded hostile mutations: no crash, no hang, no internal error", async () => {
  // A hang is a job unfinished after 60 s: a ~2 MB single line just under the size limit takes seconds to parse.
  const report = await runFuzz(SEED, 500, 60_000);
  const describe = (i: number) => `job ${i} of seed ${SEED}`;
  assert.deepEqual(report.crashes.map((c) => `${describe(c.i)}: ${c.signal ?? c.code}`), [], "native crashes");
  assert.deepEqual(report.hangs.map((h) => describe(h.i)), [], "hangs");
  const internal = report.outcomes.filter((o) => o.internal.length).map((o) => `${describe(o.i)} (${o.kind} of ${o.file}): ${o.internal.join("; ")}`);
  assert.deepEqual(internal, [], "internal errors");
  assert.equal(report.runs, 500);
  // Every hostile kind ran, and the guard did refuse files (the bombs above the limits).
  const kinds = new Set(report.outcomes.map((o) => o.kind.split(":")[0]));
  for (const k of ["everyday", "bomb", "longLine", "control", "surrogate", "bom", "crlf", "sixteenth"]) assert.ok(kinds.has(k), `kind ${k} ran`);
  assert.ok(report.outcomes.some((o) => o.guarded > 0), "some files were refused by the guard");
  const slow = report.outcomes.filter((o) => o.ms > 5000 && !o.kind.startsWith("longLine"));
  assert.deepEqual(slow.map((o) => `${describe(o.i)} ${o.kind}: ${o.ms} ms`), [], "jobs slower than 5 s");
});
