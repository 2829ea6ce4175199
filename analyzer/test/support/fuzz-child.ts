/**
 * Child process of the fuzz runner (fuzz-runner.ts): runs fuzz jobs [start, end) of a seed through the analyser
 * and prints one JSON line per event on stdout: {"start": i} before a job (written synchronously, so a native
 * crash during the job leaves it as the last line), then {"done": i, ...} with the job's figures.
 * Usage: node fuzz-child.js SEED START END
 */
import { writeSync } from "node:fs";
import { Analyzer } from "../../src/index.js";
import { corpus, fuzzJob } from "./mutations.js";

const [seed, start, end] = process.argv.slice(2).map(Number);
const apps = corpus();
const analyzers = new Map<string, Analyzer>();
const say = (o: unknown) => writeSync(1, JSON.stringify(o) + "\n");

for (let i = start; i < end; i++) {
  const job = fuzzJob(apps, seed, i);
  const key = `${job.app}:${job.maxNestingDepth}`;
  let an = analyzers.get(key);
  if (!an) {
    an = new Analyzer({ maxNestingDepth: job.maxNestingDepth });
    an.setFiles(apps[job.app].files);
    analyzers.set(key, an);
  }
  say({ start: i });
  const t0 = performance.now();
  const res = an.update(job.file, job.mutation.text);
  const ms = performance.now() - t0;
  const internal = res.model.diagnostics.filter((d) => d.code === "RP1002" || (d.code === "RP3011" && /Internal error/.test(d.message))).map((d) => `${d.code} ${d.file}: ${d.message.slice(0, 300)}`);
  const guarded = res.model.diagnostics.filter((d) => d.code === "RP1005" || d.code === "RP1006").length;
  const original = apps[job.app].files.find((f) => f.path === job.file);
  if (original) an.update(job.file, original.text);
  else an.remove(job.file);
  say({ done: i, ms: Math.round(ms * 10) / 10, kind: job.mutation.kind, file: `${apps[job.app].name}/${job.file}`, internal, guarded });
}
