/** The public API contract used by the language server, CLI and runtime: results, generations, options, loader. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { analyze, diagnosticCatalogue, isAppRootMarker } from "../src/index.js";
import { findAppRoot, findAppRoots, loadAppFiles } from "../src/node/index.js";
import { analyzer } from "./support/check.js";

const svc = (name: string) => ({ path: `${name}/encore.service.ts`, text: `import { Service } from "encore.dev/service";\nexport default new Service("${name}");\n` });
const ep = (name: string, path: string) => ({ path: `${name}/api.ts`, text: `import { api } from "encore.dev/api";\nexport const ping = api({ path: "${path}" }, async () => {});\n` });

test("diagnosticsByFile lists every input file, changedFiles only what changed, generation counts every call", () => {
  const an = analyzer();
  const r1 = an.setFiles([{ path: "encore.app", text: '{"id":"x"}' }, svc("a"), ep("a", "/ok"), { path: "a/migrations/readme.txt", text: "" }]);
  assert.deepEqual([...r1.diagnosticsByFile.keys()].sort(), ["a/api.ts", "a/encore.service.ts", "a/migrations/readme.txt", "encore.app"]);
  assert.ok([...r1.diagnosticsByFile.values()].every((l) => l.length === 0));
  assert.equal(r1.model.app.id, "x");
  const r2 = an.update("a/api.ts", ep("a", "bad").text);
  assert.equal(r2.generation, r1.generation + 1);
  assert.deepEqual(r2.changedFiles, ["a/api.ts"]);
  assert.equal(r2.diagnosticsByFile.get("a/api.ts")![0].code, "RP2001");
  const r3 = an.update("a/api.ts", ep("a", "bad").text);
  assert.equal(r3.generation, r2.generation + 1);
  assert.deepEqual(r3.changedFiles, []);
  const r4 = an.update("a/api.ts", ep("a", "/ok").text);
  assert.deepEqual(r4.changedFiles, ["a/api.ts"], "now-empty files are reported");
  assert.deepEqual(r4.diagnosticsByFile.get("a/api.ts"), []);
  an.update("a/api.ts", ep("a", "bad").text);
  const r5 = an.remove("a/api.ts");
  assert.ok(r5.changedFiles.includes("a/api.ts"), "removed files are reported");
  assert.equal(r5.diagnosticsByFile.has("a/api.ts"), false);
  assert.equal(an.result, r5);
  assert.deepEqual(an.fileNames(), ["a/encore.service.ts", "a/migrations/readme.txt", "encore.app"]);
  assert.ok(an.getParsedFile("a/encore.service.ts")?.module);
  assert.equal(an.getParsedFile("a/migrations/readme.txt"), undefined);
});

test("severity overrides and 'off', through the constructor and setOptions", () => {
  const files = [svc("a"), ep("a", "bad")];
  const an = analyzer({ severity: { RP2001: "warning" } });
  assert.equal(an.setFiles(files).model.diagnostics[0].severity, "warning");
  const r = an.setOptions({ severity: { RP2001: "off" } });
  assert.deepEqual(r.model.diagnostics, []);
  assert.deepEqual(r.changedFiles, ["a/api.ts"]);
});

test("app id comes from encore.app / reprise.app (id or name), then options.appId, then 'app'", () => {
  assert.equal(analyze([{ path: "reprise.app", text: '// c\n{ "name": "n", }' }]).app.id, "n");
  assert.equal(analyze([], { appId: "opt" }).app.id, "opt");
  assert.equal(analyze([]).app.id, "app");
  assert.equal(analyze([{ path: "encore.app", text: "" }], { appId: "opt" }).app.id, "opt");
});

test("catalogue and markers", () => {
  assert.ok(diagnosticCatalogue.some((d) => d.code.startsWith("RP3")), "schema codes are merged");
  assert.ok(isAppRootMarker("encore.app") && isAppRootMarker("reprise.app") && !isAppRootMarker("app.json"));
});

test("Node loader: findAppRoot walks upward, findAppRoots finds nested apps, loadAppFiles skips build folders", () => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-loader-"));
  try {
    mkdirSync(join(dir, "apps/one/svc/deep"), { recursive: true });
    mkdirSync(join(dir, "apps/one/node_modules/x"), { recursive: true });
    mkdirSync(join(dir, "apps/one/dist"), { recursive: true });
    mkdirSync(join(dir, "apps/two"), { recursive: true });
    writeFileSync(join(dir, "apps/one/encore.app"), '{"id":"one"}');
    writeFileSync(join(dir, "apps/two/reprise.app"), '{"id":"two"}');
    writeFileSync(join(dir, "apps/one/svc/api.ts"), "export const x = 1;");
    writeFileSync(join(dir, "apps/one/svc/1_init.up.sql"), "CREATE TABLE t ();");
    writeFileSync(join(dir, "apps/one/svc/types.d.ts"), "declare const y: 1;");
    writeFileSync(join(dir, "apps/one/node_modules/x/index.ts"), "x");
    writeFileSync(join(dir, "apps/one/dist/out.js"), "x");
    assert.equal(findAppRoot(join(dir, "apps/one/svc/deep")), join(dir, "apps/one"));
    assert.equal(findAppRoot(join(dir, "apps/one/svc/api.ts")), join(dir, "apps/one"));
    assert.equal(findAppRoot(dir), null);
    assert.deepEqual(findAppRoots(dir), [join(dir, "apps/one"), join(dir, "apps/two")]);
    const files = loadAppFiles(join(dir, "apps/one"));
    assert.deepEqual(files.map((f) => f.path), ["encore.app", "svc/1_init.up.sql", "svc/api.ts", "svc/types.d.ts"]);
    assert.equal(files.find((f) => f.path === "svc/1_init.up.sql")!.text, "", "non-source files are passed as paths only");
    assert.equal(files.find((f) => f.path === "svc/types.d.ts")!.text, "");
    assert.equal(files.find((f) => f.path === "svc/api.ts")!.text, "export const x = 1;");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("tsconfig paths and .js specifiers resolve to app files", () => {
  const model = analyze([
    { path: "tsconfig.json", text: '{ "compilerOptions": { "baseUrl": ".", "paths": { "~lib/*": ["lib/*"] } } }' },
    { path: "lib/topic.ts", text: 'import { Topic } from "reprise/pubsub";\nexport const t = new Topic<{ a: string }>("t", {});\n' },
    { path: "lib/index.ts", text: 'export { t } from "./topic.js";\n' },
    { path: "svc/sub.ts", text: 'import { Subscription } from "reprise/pubsub";\nimport { t } from "~lib/index";\nconst s = new Subscription(t, "s", { handler: async () => {} });\n' },
  ]);
  assert.deepEqual(model.diagnostics, []);
  assert.equal(model.app.topics[0].subscriptions[0].service, "svc");
});

test("bucket.ref<P>() grants the permission types' operations to the using service", () => {
  const r = analyze([
    { path: "encore.app", text: '{ "id": "b" }' },
    { path: "svc/encore.service.ts", text: 'import { Service } from "encore.dev/service";\nexport default new Service("svc");\n' },
    { path: "svc/b.ts", text: 'import { Bucket, Uploader, ReadWriter as RW } from "encore.dev/storage/objects";\nexport const files = new Bucket("files", { public: true });\nexport const up = files.ref<Uploader>();\n' },
    { path: "other/encore.service.ts", text: 'import { Service } from "encore.dev/service";\nexport default new Service("other");\n' },
    { path: "other/x.ts", text: 'import { files } from "../svc/b";\nimport * as o from "encore.dev/storage/objects";\nexport const a = files.ref<o.ReadWriter & o.PublicUrler>();\n' },
  ]);
  const ops = (name: string) => r.app.services.find((s) => s.name === name)!.buckets;
  assert.deepEqual(ops("svc"), [{ bucket: "files", operations: ["WriteObject"] }]);
  assert.deepEqual(ops("other"), [{ bucket: "files", operations: ["DeleteObject", "GetObjectMetadata", "GetPublicUrl", "ListObjects", "ReadObjectContents", "SignedDownloadUrl", "SignedUploadUrl", "WriteObject"] }]);
});
