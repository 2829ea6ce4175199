// Surface parity with the published encore.dev (pinned in the root devDependencies, read from its .d.ts / .ts
// declarations with the TypeScript compiler API): every export of every public subpath is provided by the SDK
// module `encore.dev/<sub>` maps to, or is a deliberate gap in runtime/sdk/src/internal/unsupported.ts, whose
// value stand-ins throw `unsupported in Reprise: <name>`; docs/encore-compat.md shows the current table.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { renderSurface, root, surfaces } from "../scripts/encore-surface.mjs";

const s = await surfaces();

test("every encore.dev export is provided or a listed gap", () => {
  assert.equal(s.version, "1.58.2");
  assert.ok(s.rows.length > 150, `read ${s.rows.length} exports`);
  const missing = s.rows.filter((r) => !r.provided && !r.gap).map((r) => `${r.module} ${r.name} (${r.kind})`);
  assert.deepEqual(missing, [], "exports neither provided nor listed in ENCORE_GAPS");
  const unknown = s.gaps.filter((g) => !s.rows.some((r) => r.sub === g.module && r.name === g.name));
  assert.deepEqual(unknown, [], "gaps that encore.dev does not export");
});

test("each value gap is exported as a stand-in that throws `unsupported in Reprise: <name>` with the alternative", async () => {
  for (const g of s.gaps.filter((x) => x.kind === "value")) {
    const mod = await import(pathToFileURL(join(root, "runtime", "sdk", "dist", "src", g.module, "index.js")).href);
    const v = mod[g.name];
    assert.equal(typeof v, "function", `${g.module} ${g.name} is exported`);
    const call = () => {
      try {
        return new v("x");
      } catch (e) {
        if (e instanceof TypeError && /class constructor|is not a constructor/i.test(e.message)) return v("x");
        throw e;
      }
    };
    assert.throws(call, (e) => {
      assert.equal(e.code, "RP_UNSUPPORTED");
      assert.equal(e.message, `unsupported in Reprise: ${g.name}. ${g.alternative}`);
      return true;
    });
  }
});

test("docs/encore-compat.md shows the current surface table", () => {
  const doc = readFileSync(join(root, "docs", "encore-compat.md"), "utf8");
  assert.ok(doc.includes(renderSurface(s)), "run: node scripts/encore-surface.mjs --write");
});
