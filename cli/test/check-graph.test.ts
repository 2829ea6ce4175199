/** `reprise check` and `reprise graph` as a user runs them: output format, exit codes, JSON and mermaid. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(repo, "cli", "bin", "reprise.mjs");

function reprise(args: string[], cwd = repo, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1", ...env }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function badApp(): string {
  const dir = mkdtempSync(join(tmpdir(), "reprise-cli-"));
  mkdirSync(join(dir, "svc"));
  writeFileSync(join(dir, "encore.app"), '{ "id": "bad" }');
  writeFileSync(join(dir, "svc/encore.service.ts"), 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n');
  writeFileSync(join(dir, "svc/api.ts"), 'import { api } from "encore.dev/api";\nexport const ping = api({ path: "ping" }, async () => {});\n');
  return dir;
}

test("check on a clean example exits 0", () => {
  const r = reprise(["check", "examples/hello"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /No problems found\. \(3 services, 5 endpoints, app 'hello'\)/);
});

test("check prints tsc-style diagnostics with an excerpt and exits 1 on errors", () => {
  const dir = badApp();
  try {
    const r = reprise(["check"], join(dir, "svc"));
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^api\.ts:2:33 - error RP2001: The path must start with '\/'/m);
    assert.match(r.stdout, /^2 export const ping = api\(\{ path: "ping" \}, async \(\) => \{\}\);$/m);
    assert.match(r.stdout, /^ {34}~{6}$/m);
    assert.match(r.stdout, /fix: Add leading '\/'/);
    assert.doesNotMatch(r.stdout, /\u001b\[/, "no colours when NO_COLOR is set / not a TTY");
    assert.doesNotMatch(r.stdout, /docs: /, "docs paths only with --verbose");
    const v = reprise(["check", "--verbose"], join(dir, "svc"));
    const page = /^docs: (.+RP2001\.md)$/m.exec(v.stdout)?.[1];
    assert.ok(page && existsSync(page), `--verbose prints the RP2001 page's path:\n${v.stdout}`);
    const j = reprise(["check", dir, "--json"]);
    assert.equal(j.code, 1);
    const model = JSON.parse(j.stdout);
    assert.equal(model.version, 1);
    assert.equal(model.diagnostics[0].code, "RP2001");
    assert.deepEqual(model.diagnostics[0].range.start, { line: 1, character: 32 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("usage and IO failures exit 2 with a clear message", () => {
  const none = mkdtempSync(join(tmpdir(), "reprise-none-"));
  try {
    const r = reprise(["check", none]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no encore\.app or reprise\.app found in .* or any parent/);
    assert.equal(reprise(["check", join(none, "missing")]).code, 2);
    assert.equal(reprise(["check", "--nope"]).code, 2);
    assert.equal(reprise(["graph", "examples/hello", "--format", "svg"]).code, 2);
  } finally {
    rmSync(none, { recursive: true, force: true });
  }
});

test("graph prints mermaid by default and the graph JSON with --format json", () => {
  const m = reprise(["graph", "examples/hello"]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /^flowchart/);
  assert.match(m.stdout, /svc_greeter.*-->.*svc_users/);
  const j = reprise(["graph", "examples/encore-blog", "--format=json"]);
  assert.equal(j.code, 0);
  const g = JSON.parse(j.stdout);
  assert.ok(g.nodes.some((n: { id: string }) => n.id === "service:posts"));
  assert.ok(g.edges.some((e: { kind: string }) => e.kind === "rpc"));
});

test("check survives the deeply nested file of issue 17: RP1005 on the right position, the rest analysed", () => {
  const dir = badApp();
  try {
    writeFileSync(join(dir, "svc/f.ts"), "export const x = " + "[".repeat(5000) + "]".repeat(5000) + ";\n");
    // 4 MB on one line: not read at all (RP1006), and the excerpt is not printed for it.
    writeFileSync(join(dir, "svc/bundle.ts"), "export const b = [" + "1,".repeat(2 * 1024 * 1024) + "];\n");
    const r = reprise(["check", dir]);
    assert.equal(r.code, 1, r.stderr); // the RP2001 error of svc/api.ts: the rest of the app is analysed
    assert.match(r.stdout, /f\.ts:1:517 - warning RP1005: Nesting deeper than 500 levels; this file is not analysed/);
    assert.match(r.stdout, /bundle\.ts:1:1 - warning RP1006: This file is 4\.0 MB, over the 2 MB limit/);
    assert.match(r.stdout, /api\.ts:2:33 - error RP2001/);
    assert.ok(r.stdout.length < 20_000, `output of ${r.stdout.length} characters: long lines are clipped`);
    rmSync(join(dir, "svc/bundle.ts"));
    const limits = reprise(["check", dir, "--max-nesting-depth", "800"]);
    assert.match(limits.stdout, /f\.ts:1:817 - warning RP1005: Nesting deeper than 800 levels/);
    const small = reprise(["check", dir, "--max-file-size", "100"]);
    assert.match(small.stdout, /f\.ts:1:1 - warning RP1006: This file is 9\.8 KB, over the 100 bytes limit/);
    assert.equal(reprise(["check", dir, "--max-nesting-depth", "lots"]).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an app inside a folder its repository's .gitignore ignores is analysed; the parent's rules for files inside it still apply", () => {
  // The e2e workspace's layout: <repo>/e2e-out/workspace with `e2e-out/` in <repo>/.gitignore. Analysing nothing
  // there ("No problems found. (0 services ...)") hid every diagnostic and the whole model.
  const repoDir = mkdtempSync(join(tmpdir(), "reprise-cli-repo-"));
  try {
    mkdirSync(join(repoDir, ".git"));
    const app = join(repoDir, "e2e-out", "workspace");
    mkdirSync(join(app, "svc", "generated"), { recursive: true });
    writeFileSync(join(app, "encore.app"), '{ "id": "nested" }');
    writeFileSync(join(app, "svc/encore.service.ts"), 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n');
    const broken = (name: string) => `import { api } from "encore.dev/api";\nexport const ${name} = api({ path: "${name}" }, async () => {});\n`;
    writeFileSync(join(app, "svc/api.ts"), broken("ping"));
    writeFileSync(join(app, "svc/skip.gen.ts"), broken("gen"));
    writeFileSync(join(app, "svc/generated/g.ts"), broken("g"));
    writeFileSync(join(repoDir, ".gitignore"), "e2e-out/\n*.gen.ts\n/e2e-out/workspace/svc/generated/\n");
    const r = reprise(["check", app, "--json"]);
    const model = JSON.parse(r.stdout);
    assert.deepEqual(model.app.services.map((s: { name: string }) => s.name), ["svc"]);
    assert.deepEqual([...new Set(model.diagnostics.map((d: { file: string }) => d.file))], ["svc/api.ts"]);
    // Run from inside the app, as a user in that folder would.
    const plain = reprise(["check"], app);
    assert.equal(plain.code, 1, plain.stdout);
    assert.match(plain.stdout, /api\.ts:2:\d+ - error RP2001/);
  } finally {
    rmSync(repoDir, { recursive: true, force: true });
  }
});

test("files the app's ignore rules match are never read: node_modules, build output, generated and .gitignore'd folders", () => {
  const dir = badApp();
  try {
    const deep = "export const x = " + "[".repeat(5000) + "]".repeat(5000) + ";\n";
    const broken = 'import { api } from "encore.dev/api";\nexport const p = api({ path: "nope" }, async () => {});\n';
    for (const f of ["svc/node_modules/m/index.ts", "svc/dist/a.ts", "svc/encore.gen/c.ts", "svc/.cache/x.ts", "svc/generated/g.ts", "svc/out/o.ts", "svc/skip.gen.ts"]) {
      mkdirSync(join(dir, f, ".."), { recursive: true });
      writeFileSync(join(dir, f), f.endsWith("g.ts") ? deep : broken);
    }
    writeFileSync(join(dir, ".gitignore"), "generated/\n*.gen.ts\n");
    writeFileSync(join(dir, "svc/.gitignore"), "/out\n");
    const r = reprise(["check", dir, "--json"]);
    const model = JSON.parse(r.stdout);
    const files = new Set(model.diagnostics.map((d: { file: string }) => d.file));
    assert.deepEqual([...files], ["svc/api.ts"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
