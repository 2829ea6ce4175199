/**
 * Robustness: seeded mutations of every fixture, example and case file (truncation, deleted braces, swapped
 * tokens) must never make the analyser throw, report an internal error, or take long; and the incremental API,
 * driven by random update/remove sequences, must always agree with a fresh full analysis of the same files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { SourceInput } from "../src/index.js";
import { loadAppFiles } from "../src/node/index.js";
import { analyzer, check, loadCases, snapshotApps } from "./support/check.js";
import { mutate, rng } from "./support/mutations.js";

function corpus(): { name: string; files: SourceInput[] }[] {
  const apps = snapshotApps().map((a) => ({ name: a.name, files: loadAppFiles(a.root) }));
  const cases = loadCases().map((c) => ({ name: `case ${c.name}`, files: c.files }));
  return [...apps, ...cases];
}

const isSource = (p: string) => /\.(ts|tsx|js)$/.test(p) || p.endsWith(".app") || p === "tsconfig.json";

test("seeded mutations never throw, never report internal errors, and stay fast", () => {
  const r = rng(20261202);
  let runs = 0;
  let slowest = 0;
  for (const app of corpus()) {
    const an = analyzer();
    an.setFiles(app.files);
    for (const f of app.files.filter((x) => isSource(x.path))) {
      for (let k = 0; k < 4; k++) {
        const text = mutate(f.text, r);
        const t0 = performance.now();
        const res = an.update(f.path, text);
        const ms = performance.now() - t0;
        slowest = Math.max(slowest, ms);
        runs++;
        const internal = res.model.diagnostics.filter((d) => d.code === "RP1002" || d.code === "RP3011" && /Internal error/.test(d.message));
        assert.deepEqual(internal, [], `internal error after mutating ${app.name}/${f.path}:\n${text}`);
        assert.ok(ms < 1000, `update took ${ms.toFixed(0)} ms`);
      }
      an.update(f.path, f.text);
    }
  }
  assert.ok(runs > 200, `ran ${runs} mutations`);
});

function comparable(res: ReturnType<typeof check>) {
  return { model: res.model, byFile: [...res.diagnosticsByFile.entries()].sort(([a], [b]) => (a < b ? -1 : 1)) };
}

test("random update/remove sequences agree with a fresh full analysis", () => {
  const r = rng(7);
  for (const app of corpus().filter((a) => !a.name.startsWith("case ") || r() < 0.3)) {
    const an = analyzer();
    const current = new Map(app.files.map((f) => [f.path, f.text]));
    let prev = an.setFiles(app.files);
    const paths = app.files.map((f) => f.path);
    for (let step = 0; step < 12; step++) {
      const path = paths[Math.floor(r() * paths.length)];
      const original = app.files.find((f) => f.path === path)!.text;
      const op = r();
      let res;
      if (op < 0.2 && current.has(path)) {
        current.delete(path);
        res = an.remove(path);
      } else {
        const text = op < 0.6 ? mutate(original, r) : original;
        current.set(path, text);
        res = an.update(path, text);
      }
      assert.equal(res.generation, prev.generation + 1);
      const fresh = check([...current].map(([p, t]) => ({ path: p, text: t })));
      assert.deepEqual(comparable(res), comparable(fresh), `${app.name} step ${step} (${path})`);
      // changedFiles lists exactly the files whose diagnostics differ.
      const files = new Set([...prev.diagnosticsByFile.keys(), ...res.diagnosticsByFile.keys()]);
      const changed = [...files].filter((p) => JSON.stringify(prev.diagnosticsByFile.get(p)) !== JSON.stringify(res.diagnosticsByFile.get(p))).sort();
      assert.deepEqual(res.changedFiles.filter((p) => changed.includes(p) || !res.diagnosticsByFile.has(p)).sort(), res.changedFiles);
      for (const p of changed) assert.ok(res.changedFiles.includes(p), `${p} changed but is not in changedFiles`);
      prev = res;
    }
  }
});

/** Endpoint files of two services whose exposed routes overlap, inside and across services. */
function routeFile(svc: string, variant: number): string {
  const methods = ["GET", "POST", "*"];
  const m = (k: number) => methods[(variant + k) % methods.length];
  const expose = (k: number) => ((variant >> k) & 1) === 1;
  return `import { api } from "encore.dev/api";
export const a${variant % 2} = api({ method: "${m(0)}", path: "/items/:id", expose: ${expose(0)} }, async ({ id }: { id: string }) => {});
export const b = api({ method: "${m(1)}", path: "/items/:key", expose: ${expose(1)} }, async ({ key }: { key: string }) => {});
export const c = api({ method: "${m(2)}", path: "/${svc}/x", expose: true }, async () => {});
`;
}

test("per-service endpoint relinks keep route conflict precedence equal to a full analysis", () => {
  const r = rng(11);
  const files = ["one/a.ts", "one/b.ts", "two/a.ts", "two/c.ts", "three/z.ts"];
  const current = new Map<string, string>([["encore.app", '{ "id": "routes" }']]);
  for (const f of files) current.set(f, routeFile(f.split("/")[0], 0));
  const an = analyzer();
  an.setFiles([...current].map(([path, text]) => ({ path, text })));
  const seen = new Set<string>();
  for (let step = 0; step < 60; step++) {
    const path = files[Math.floor(r() * files.length)];
    let res;
    if (r() < 0.15 && current.has(path)) {
      current.delete(path);
      res = an.remove(path);
    } else {
      current.set(path, routeFile(path.split("/")[0], Math.floor(r() * 16)));
      res = an.update(path, current.get(path)!);
    }
    const fresh = check([...current].map(([p, t]) => ({ path: p, text: t })));
    assert.deepEqual(comparable(res), comparable(fresh), `step ${step} (${path})`);
    for (const d of res.model.diagnostics) seen.add(d.code);
  }
  // The sequence exercises both outcomes: a same-service conflict (RP2028) and a cross-service overlap (RP2029).
  assert.ok(seen.has("RP2028") && seen.has("RP2029"), [...seen].join(", "));
});
