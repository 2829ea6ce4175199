/**
 * The analyser core does no IO and knows nothing about editors: outside src/node/, no source file may import
 * node:fs (or other IO modules), vscode or vscode-languageserver*.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { PACKAGE_DIR } from "./support/check.js";

const BANNED = /^(node:)?(fs|fs\/promises|child_process|net|http|https|worker_threads)$|^vscode$|^vscode-languageserver/;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

test("no IO or editor imports outside src/node/", () => {
  const src = join(PACKAGE_DIR, "src");
  const offenders: string[] = [];
  const files = sources(src).filter((f) => !relative(src, f).startsWith("node/"));
  assert.ok(files.length > 20);
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(/(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|require\s*\(\s*["']([^"']+)["']\s*\)/g)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (BANNED.test(spec)) offenders.push(`${relative(PACKAGE_DIR, f)} imports ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

test("the purity scan catches a banned import", () => {
  const sample = 'import { readFileSync } from "node:fs";';
  const m = /from\s*["']([^"']+)["']/.exec(sample)!;
  assert.ok(BANNED.test(m[1]));
});
