/**
 * Caching and invalidation: `dependencies` names every file read, `invalidate(file)` makes the next build see the
 * file's new content (also through re-export chains), and unrelated cached declarations survive an edit.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { MemoryApp, ROOT_ALIAS } from "./schema-helpers.js";

const POST = { methods: ["POST" as const], pathParams: [] };

function app(): MemoryApp {
  return new MemoryApp({
    "types.ts": "export interface Item { id: string }\nexport interface Other { o: number }",
    "index.ts": 'export * from "./types";',
    "a.ts": `import { Item } from "./index";\ntype ${ROOT_ALIAS} = { item: Item };\n`,
    "b.ts": `import { Other } from "./types";\ntype ${ROOT_ALIAS} = { other: Other };\n`,
    "c.ts": `type ${ROOT_ALIAS} = { plain: string };\n`,
  });
}

test("incremental: dependencies list every file read, through export *", () => {
  const a = app();
  assert.deepEqual(a.build("a.ts", "request", POST).dependencies, ["a.ts", "index.ts", "types.ts"]);
  assert.deepEqual(a.build("c.ts", "request", POST).dependencies, ["c.ts"]);
});

test("incremental: an edit of a dependency is seen after invalidate", () => {
  const a = app();
  const before = a.build("a.ts", "request", POST).schema!;
  assert.deepEqual((before.$defs as Record<string, unknown>).Item, { type: "object", properties: { id: { type: "string" } }, required: ["id"] });
  a.set("types.ts", "export interface Item { id: number; extra?: boolean }\nexport interface Other { o: number }");
  const after = a.build("a.ts", "request", POST).schema!;
  assert.deepEqual((after.$defs as Record<string, unknown>).Item, { type: "object", properties: { id: { type: "number" }, extra: { type: "boolean" } }, required: ["id"] });
});

test("incremental: an edit of a re-exporting file changes resolution", () => {
  const a = app();
  assert.equal(a.build("a.ts", "request", POST).diagnostics.length, 0);
  a.set("index.ts", "export {};");
  const r = a.build("a.ts", "request", POST);
  assert.deepEqual(r.diagnostics.map((d) => d.code), ["RP3010"]);
  a.set("index.ts", 'export { Other as Item } from "./types";');
  const again = a.build("a.ts", "request", POST);
  assert.deepEqual(again.diagnostics, []);
  assert.deepEqual(Object.keys(again.schema!.$defs as object), ["Other"]);
});

test("incremental: removing a file is reported, restoring it heals", () => {
  const a = app();
  a.build("b.ts", "request", POST);
  a.remove("types.ts");
  assert.deepEqual(a.build("b.ts", "request", POST).diagnostics.map((d) => d.code), ["RP3009"]);
  a.set("types.ts", "export interface Other { o: string }");
  const r = a.build("b.ts", "request", POST);
  assert.deepEqual(r.diagnostics, []);
  assert.deepEqual((r.schema!.$defs as Record<string, { properties: unknown }>).Other.properties, { o: { type: "string" } });
});

test("incremental: invalidating one file keeps declarations that never read it", () => {
  const a = app();
  const first = a.build("b.ts", "request", POST);
  a.build("a.ts", "request", POST);
  const held = a.builder.cacheStats();
  assert.deepEqual(held, { files: 4, declarations: 2, schemas: 0 });
  a.set("c.ts", `type ${ROOT_ALIAS} = { plain: number };\n`);
  assert.deepEqual(a.builder.cacheStats(), { files: 4, declarations: 2, schemas: 0 }, "c.ts was never read: nothing dropped");
  a.set("a.ts", `import { Item } from "./index";\ntype ${ROOT_ALIAS} = { item: Item[] };\n`);
  assert.deepEqual(a.builder.cacheStats(), { files: 3, declarations: 2, schemas: 0 }, "a.ts's scope dropped, the declarations it used kept");
  a.set("types.ts", "export interface Item { id: string }\nexport interface Other { o: boolean }");
  assert.deepEqual(a.builder.cacheStats(), { files: 2, declarations: 0, schemas: 0 });
  const second = a.build("b.ts", "request", POST);
  assert.notDeepEqual(second.schema, first.schema);
});

test("incremental: a declaration whose import did not resolve is rebuilt when any file appears", () => {
  const a = new MemoryApp({
    "shared.ts": 'import { Later } from "./later";\nexport interface Wrap { later: Later }',
    "main.ts": `import { Wrap } from "./shared";\ntype ${ROOT_ALIAS} = { w: Wrap };\n`,
  });
  const first = a.build("main.ts", "request", POST);
  assert.deepEqual(first.diagnostics.map((d) => [d.code, d.file]), [["RP3009", "shared.ts"]]);
  a.set("later.ts", "export interface Later { x: string }");
  const second = a.build("main.ts", "request", POST);
  assert.deepEqual(second.diagnostics, []);
  assert.deepEqual(second.dependencies, ["later.ts", "main.ts", "shared.ts"]);
});

test("incremental: a named top-level type is placed once per role and context, and rebuilt when a file it read changes", () => {
  const a = new MemoryApp({
    "types.ts": 'import { Header } from "encore.dev/api";\nexport interface Resp { loc: Header<"Location">; item: Item }\nexport interface Item { id: string }',
    "a.ts": `import { Resp } from "./types";\ntype ${ROOT_ALIAS} = Promise<Resp>;\n`,
    "b.ts": `import { Resp } from "./types";\ntype ${ROOT_ALIAS} = Resp;\n`,
  });
  const ra = a.build("a.ts", "response");
  const rb = a.build("b.ts", "response");
  assert.equal(ra.schema, rb.schema, "the same schema object is shared");
  assert.deepEqual(ra.dependencies, ["a.ts", "types.ts"]);
  assert.deepEqual(rb.dependencies, ["b.ts", "types.ts"]);
  assert.equal(a.builder.cacheStats().schemas, 1);
  const asRequest = a.build("b.ts", "request", POST);
  assert.notEqual(asRequest.schema, rb.schema);
  assert.equal(a.builder.cacheStats().schemas, 2);
  a.set("types.ts", 'export interface Resp { item: Item }\nexport interface Item { id: number }');
  assert.equal(a.builder.cacheStats().schemas, 0);
  const again = a.build("a.ts", "response");
  assert.deepEqual((again.schema!.$defs as Record<string, { properties: unknown }>).Item.properties, { id: { type: "number" } });
});

test("incremental: a builder error is a diagnostic, never an exception", () => {
  const a = app();
  const r = a.builder.build("c.ts", { type: "TsTypeReference", span: { start: 1, end: 2, ctxt: 0 }, typeName: null } as never, "request", POST);
  assert.equal(r.schema, null);
  assert.equal(r.diagnostics.length, 1);
});
