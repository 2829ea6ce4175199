/**
 * The names the analyser recognises in `reprise/*` imports must exist in the Reprise SDK (runtime/sdk): each
 * module is a subpath export of the package, and each declaration form, schema marker type and bucket permission
 * type is exported by that module's source. Exports are read from the .ts source with swc (following
 * `export * from` and re-exports), so the check does not depend on the SDK being built.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseSync } from "@swc/core";
import { SDK_MODULES } from "../src/sdk.js";
import { REGISTRY } from "../src/resources/registry.js";
import { SDK_MODULES as SCHEMA_MODULES, SDK_NAMES } from "../src/schema/scope.js";
import { BUCKET_PERMISSIONS } from "../src/link/infra.js";
import { PACKAGE_DIR } from "./support/check.js";

const SDK = process.env.REPRISE_SDK_DIR ?? join(PACKAGE_DIR, "..", "runtime", "sdk");

/** Names a module exports (values and types), following relative re-exports. */
function exportedNames(file: string, seen = new Set<string>()): Set<string> {
  const out = new Set<string>();
  if (seen.has(file)) return out;
  seen.add(file);
  const mod = parseSync(readFileSync(file, "utf8"), { syntax: "typescript", target: "es2022" });
  const follow = (spec: string) => {
    if (!spec.startsWith(".")) return new Set<string>();
    const base = join(dirname(file), spec.replace(/\.js$/, ""));
    const target = [`${base}.ts`, join(base, "index.ts")].find((p) => existsSync(p));
    return target ? exportedNames(target, seen) : new Set<string>();
  };
  for (const item of mod.body) {
    if (item.type === "ExportDeclaration") {
      const d = item.declaration;
      if (d.type === "VariableDeclaration") {
        for (const v of d.declarations) if (v.id.type === "Identifier") out.add(v.id.value);
      } else if (d.type === "TsModuleDeclaration") {
        if (d.id.type === "Identifier") out.add(d.id.value);
      } else out.add("identifier" in d ? d.identifier.value : d.id.value);
    } else if (item.type === "ExportNamedDeclaration") {
      for (const s of item.specifiers) {
        if (s.type === "ExportSpecifier") {
          const exported = s.exported ?? s.orig;
          out.add(exported.type === "Identifier" ? exported.value : exported.value);
        } else if (s.type === "ExportNamespaceSpecifier") out.add(s.name.type === "Identifier" ? s.name.value : s.name.value);
      }
    } else if (item.type === "ExportAllDeclaration") {
      for (const n of follow(item.source.value)) out.add(n);
    }
  }
  return out;
}

function moduleExports(module: string): Set<string> {
  const file = join(SDK, "src", module, "index.ts");
  assert.ok(existsSync(file), `runtime/sdk/src/${module}/index.ts exists`);
  return exportedNames(file);
}

test("every SDK module the analyser recognises is a subpath export of the reprise package", () => {
  const pkg = JSON.parse(readFileSync(join(SDK, "package.json"), "utf8"));
  assert.equal(pkg.name, "reprise");
  const schemaOnly = Object.keys(SCHEMA_MODULES).filter((s) => s.startsWith("reprise/")).map((s) => s.slice("reprise/".length));
  for (const m of new Set([...SDK_MODULES, ...schemaOnly])) assert.ok(pkg.exports?.[`./${m}`], `package.json exports "./${m}"`);
});

test("every declaration form, schema marker and bucket permission type is exported by its SDK module", () => {
  const missing: string[] = [];
  const expect = (module: string, name: string) => {
    if (!moduleExports(module).has(name)) missing.push(`reprise/${module}: ${name}`);
  };
  for (const key of REGISTRY.keys()) {
    const [module, form] = key.split(":");
    expect(module, form.split(".")[0]);
  }
  // Schema marker types, in the modules the schema builder reads them from (Decimal only from encore.dev/types).
  const markerModule: Record<string, string> = { Header: "api", Query: "api", Cookie: "api", HttpStatus: "api", Attribute: "pubsub", Decimal: "types" };
  for (const name of SDK_NAMES) {
    const m = markerModule[name] ?? "validate";
    if (`reprise/${m}` in SCHEMA_MODULES) expect(m, name);
  }
  for (const name of Object.keys(BUCKET_PERMISSIONS)) expect("storage/objects", name);
  assert.deepEqual(missing, []);
});
