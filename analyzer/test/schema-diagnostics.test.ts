/**
 * One case (at least) per RP3xxx code: the code, the file and the exact source text of its range. Also checks
 * that every code in the catalogue is exercised, that a broken type is reported once (no cascade), and that the
 * builder never throws on odd input.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { schemaDiagnostics } from "../src/schema/index.js";
import { runCase, MemoryApp, type Case } from "./schema-helpers.js";

const API = 'import { Header, Query, Cookie, HttpStatus } from "encore.dev/api";\nimport { Min, Max, MinLen, MaxLen, MatchesRegexp, IsEmail } from "encore.dev/validate";\nimport { Attribute } from "encore.dev/pubsub";\n';
const GET = { methods: ["GET" as const], pathParams: [] };
const POST = { methods: ["POST" as const], pathParams: [] };

const cases: Case[] = [
  { name: "RP3001 tuple", root: "{ pair: [string, number] }", ctx: POST, diags: [{ code: "RP3001", text: "[string, number]" }] },
  { name: "RP3002 class", src: "class User { name = \"\" }", root: "{ u: User }", ctx: POST, diags: [{ code: "RP3002", text: "User" }] },
  {
    name: "RP3002 class imported from another file is reported where it is used",
    files: { "model.ts": "export class Model { id = 1 }" },
    src: 'import { Model } from "./model";',
    root: "{ list: Model[] }",
    ctx: POST,
    diags: [{ code: "RP3002", text: "Model" }],
  },
  { name: "RP3003 function-typed field", root: "{ cb: (x: number) => void }", ctx: POST, diags: [{ code: "RP3003", text: "(x: number) => void" }] },
  { name: "RP3003 method signature", root: "{ name: string; greet(): string }", ctx: POST, diags: [{ code: "RP3003", text: "greet(): string" }] },
  { name: "RP3004 symbol", root: "{ s: symbol }", ctx: POST, diags: [{ code: "RP3004", text: "symbol" }] },
  { name: "RP3004 undefined field", root: "{ u: undefined }", ctx: POST, diags: [{ code: "RP3004", text: "undefined" }] },
  { name: "RP3004 void inside a schema", root: "{ items: void[] }", ctx: POST, diags: [{ code: "RP3004", text: "void" }] },
  { name: "RP3004 object keyword", root: "{ o: object }", ctx: POST, diags: [{ code: "RP3004", text: "object" }] },
  { name: "RP3005 index signature mixed with fields", root: "{ name: string; [k: string]: string }", ctx: POST, diags: [{ code: "RP3005", text: "[k: string]: string" }] },
  {
    name: "RP3006 generic used without its type argument",
    src: "interface Page<T> { items: T[] }",
    root: "{ p: Page }",
    ctx: POST,
    diags: [{ code: "RP3006", text: "Page" }],
  },
  { name: "RP3006 too many type arguments", src: "interface Box<T> { v: T }", root: "{ b: Box<string, number> }", ctx: POST, diags: [{ code: "RP3006", text: "<string, number>" }] },
  { name: "RP3007 unknown type name", root: "{ u: Userr }", ctx: POST, diags: [{ code: "RP3007", text: "Userr" }] },
  { name: "RP3007 unknown validation rule", src: 'import { IsUUID } from "encore.dev/validate";', root: "{ id: string & IsUUID }", ctx: POST, diags: [{ code: "RP3007", text: "IsUUID" }] },
  { name: "RP3008 type from a package", src: 'import type { Foo } from "some-lib";', root: "{ f: Foo }", ctx: POST, diags: [{ code: "RP3008", text: "Foo" }] },
  { name: "RP3008 non-wire SDK type", src: 'import { APIError } from "encore.dev/api";', root: "{ e: APIError }", ctx: POST, diags: [{ code: "RP3008", text: "APIError" }] },
  { name: "RP3009 unresolved relative import", src: 'import { Gone } from "./gone";', root: "{ g: Gone }", ctx: POST, diags: [{ code: "RP3009", text: "Gone" }] },
  { name: "RP3010 name not exported", files: { "t.ts": "interface Secret { s: string }" }, src: 'import { Secret } from "./t";', root: "{ s: Secret }", ctx: POST, diags: [{ code: "RP3010", text: "Secret" }] },
  { name: "RP3011 typeof of something that is not a variable", src: "function f() {}", root: "{ v: typeof f }", ctx: POST, diags: [{ code: "RP3011", text: "typeof f" }] },
  { name: "RP3011 typeof a value that cannot be inferred", src: "const x = { a: compute() };", root: "{ v: typeof x }", ctx: POST, diags: [{ code: "RP3011", text: "compute()" }] },
  { name: "RP3007 a value used as a type", src: "const limits = { a: 1 };", root: "{ v: limits }", ctx: POST, diags: [{ code: "RP3007", text: "limits" }] },
  { name: "RP3011 template literal with placeholders", root: "{ id: `user_${string}` }", ctx: POST, diags: [{ code: "RP3011", text: "`user_${string}`" }] },
  { name: "RP3011 Map", root: "{ m: Map<string, number> }", ctx: POST, diags: [{ code: "RP3011", text: "Map<string, number>" }] },
  { name: "RP3012 alias defined as itself", src: "type A = B;\ntype B = A;", root: "{ a: A }", ctx: POST, diags: [{ code: "RP3012", text: "B" }] },
  { name: "RP3012 interface extending itself", src: "interface A extends B { a: string }\ninterface B extends A { b: string }", root: "{ a: A }", ctx: POST, diags: [{ code: "RP3012", text: "A" }] },
  { name: "RP3013 primitive top-level request", root: "string", ctx: POST, diags: [{ code: "RP3013", text: "string" }], schema: null },
  { name: "RP3013 array top-level response", src: "interface Item { id: string }", root: "Item[]", role: "response", diags: [{ code: "RP3013", text: "Item[]" }], schema: null },
  { name: "RP3013 union top-level request", root: "{ a: string } | { b: string }", ctx: POST, diags: [{ code: "RP3013", text: "{ a: string } | { b: string }" }] },
  { name: "RP3013 nullable response (hint: throw instead)", src: "interface User { id: string }", root: "Promise<User | null>", role: "response", diags: [{ code: "RP3013", text: "Promise<User | null>" }] },
  { name: "RP3013 Record top-level", root: "Record<string, string>", ctx: POST, diags: [{ code: "RP3013", text: "Record<string, string>" }] },
  { name: "RP3014 computed enum member", src: "const base = 1;\nenum E { A = base + 1 }", root: "{ e: E }", ctx: POST, diags: [{ code: "RP3014", text: "base + 1" }] },
  { name: "RP3014 implicit member after a string member", src: 'enum E { A = "a", B }', root: "{ e: E }", ctx: POST, diags: [{ code: "RP3014", text: "B" }] },
  { name: "RP3015 computed property key", src: "const k = \"x\";", root: "{ [k]: string }", ctx: POST, diags: [{ code: "RP3015", text: "k" }] },
  { name: "RP3015 property without a type", root: "{ a: string; b }", ctx: POST, diags: [{ code: "RP3015", text: "b" }] },
  { name: "RP3016 Pick of a missing key", src: "interface U { id: string }", root: 'Pick<U, "name">', ctx: POST, diags: [{ code: "RP3016", text: '"name"' }] },
  { name: "RP3016 Partial of a non-object", root: "{ p: Partial<string> }", ctx: POST, diags: [{ code: "RP3016", text: "string" }] },
  { name: "RP3020 negative MinLen", src: API, root: "{ s: string & MinLen<-1> }", ctx: POST, diags: [{ code: "RP3020", text: "<-1>" }] },
  { name: "RP3020 non-literal Min", src: API, root: "{ n: number & Min<number> }", ctx: POST, diags: [{ code: "RP3020", text: "<number>" }] },
  { name: "RP3020 invalid regular expression", src: API, root: '{ s: string & MatchesRegexp<"([a-z">; }', ctx: POST, diags: [{ code: "RP3020", text: '<"([a-z">' }] },
  { name: "RP3021 MinLen on a number", src: API, root: "{ n: number & MinLen<3> }", ctx: POST, diags: [{ code: "RP3021", text: "MinLen<3>" }] },
  { name: "RP3021 IsEmail on an array", src: API, root: "{ n: string[] & IsEmail }", ctx: POST, diags: [{ code: "RP3021", text: "IsEmail" }] },
  { name: "RP3022 rule without a base type", src: API, root: "{ n: Min<3> }", ctx: POST, diags: [{ code: "RP3022", text: "Min<3>" }] },
  { name: "RP3022 rule as a union alternative", src: API, root: "{ n: string | IsEmail }", ctx: POST, diags: [{ code: "RP3022", text: "IsEmail" }] },
  { name: "RP3030 second Header argument not a literal", src: API, root: "{ h: Header<string, number> }", ctx: POST, diags: [{ code: "RP3030", text: "number" }] },
  { name: "RP3030 Attribute without a type", src: API, root: "{ a: Attribute }", role: "message", diags: [{ code: "RP3030", text: "Attribute" }] },
  { name: "RP3031 HttpStatus with type arguments", src: API, root: "{ s: HttpStatus<200> }", role: "response", diags: [{ code: "RP3031", text: "<200>" }] },
  { name: "RP3032 object in the query (GET)", src: API, root: "{ filter: { a: string } }", ctx: GET, diags: [{ code: "RP3032", text: "{ a: string }" }] },
  { name: "RP3032 explicit Query of an array of objects", src: API + "interface F { a: string }", root: "{ f: Query<F[]> }", ctx: POST, diags: [{ code: "RP3032", text: "Query<F[]>" }] },
  {
    name: "RP3033 two HttpStatus fields (related: the first)",
    src: API,
    root: "{ a: HttpStatus; b: HttpStatus }",
    role: "response",
    diags: [{ code: "RP3033", text: "HttpStatus" }],
  },
  { name: "RP3034 object path parameter", root: "{ id: { x: string } }", ctx: { methods: ["GET"], pathParams: ["id"] }, diags: [{ code: "RP3034", text: "{ x: string }" }] },
  { name: "RP3034 array path parameter", root: "{ id: string[] }", ctx: { methods: ["POST"], pathParams: ["id"] }, diags: [{ code: "RP3034", text: "string[]" }] },
  { name: "RP3035 header of an object type", src: API + "interface H { a: string }", root: "{ h: Header<H, \"X-H\"> }", ctx: POST, diags: [{ code: "RP3035", text: 'Header<H, "X-H">' }] },
  { name: "RP3036 HttpStatus in a request", src: API, root: "{ s: HttpStatus }", ctx: POST, diags: [{ code: "RP3036", text: "HttpStatus" }] },
  { name: "RP3036 Query in a response", src: API, root: "{ q: Query<string> }", role: "response", diags: [{ code: "RP3036", text: "Query<string>" }] },
  { name: "RP3038 plain field in auth handler parameters", src: API, root: "{ token: Header<\"Authorization\">; tenant: string }", role: "authParams", diags: [{ code: "RP3038", text: "string" }] },
  { name: "RP3038 not reported for Header, Query and Cookie auth parameters", src: API, root: "{ a: Header<\"Authorization\">; q: Query<string>; c: Cookie<\"sid\"> }", role: "authParams", diags: [] },
  { name: "RP3037 Attribute of an object", src: API, root: "{ a: Attribute<{ x: string }> }", role: "message", diags: [{ code: "RP3037", text: "Attribute<{ x: string }>" }] },
];

for (const c of cases) {
  test(`diagnostic ${c.name}`, () => {
    const { result, diags } = runCase(c);
    assert.deepEqual(diags, (c.diags ?? []).map((d) => ({ code: d.code, file: d.file ?? "main.ts", text: d.text })));
    if (c.schema !== undefined) assert.deepEqual(result.schema, c.schema);
    for (const d of result.diagnostics) {
      const def = schemaDiagnostics.find((x) => x.code === d.code)!;
      assert.equal(d.severity, def.severity);
      assert.ok(d.message.length > 20 && !/\{"type"|\[object/.test(d.message), `a readable message: ${d.message}`);
    }
  });
}

test("diagnostic: a nullable response is told to throw APIError.notFound instead", () => {
  const { result } = runCase(cases.find((c) => c.name.startsWith("RP3013 nullable"))!);
  assert.match(result.diagnostics[0].message, /not a union\. Return the object type and throw APIError\.notFound/);
});

test("diagnostic: every RP3xxx code has a case", () => {
  const covered = new Set(cases.flatMap((c) => (c.diags ?? []).map((d) => d.code)));
  assert.deepEqual(schemaDiagnostics.map((d) => d.code).filter((c) => !covered.has(c)), []);
  assert.equal(new Set(schemaDiagnostics.map((d) => d.code)).size, schemaDiagnostics.length);
});

test("diagnostic: RP3033 points at the first HttpStatus field as related information", () => {
  const { result } = runCase(cases.find((c) => c.name.startsWith("RP3033"))!);
  const d = result.diagnostics[0];
  assert.equal(d.related.length, 1);
  assert.equal(d.related[0].location.file, "main.ts");
  assert.ok(d.related[0].location.range.start.character < d.range.start.character);
});

test("diagnostic: an error inside a shared type is reported once, in the file where it is written, and the rest still builds", () => {
  const { result, diags } = runCase({
    name: "shared",
    files: { "types.ts": "export interface Item { id: string; pair: [number, number]; ok: boolean }" },
    src: 'import { Item } from "./types";',
    root: "{ a: Item; b: Item[]; c: { d: Item } }",
    ctx: POST,
  });
  assert.deepEqual(diags, [{ code: "RP3001", file: "types.ts", text: "[number, number]" }]);
  const item = (result.schema!.$defs as Record<string, { properties: Record<string, unknown> }>).Item;
  assert.deepEqual(item.properties, { id: { type: "string" }, pair: {}, ok: { type: "boolean" } });
});

test("diagnostic: a type from a file with a syntax error is not reported again (the syntax error is the cause)", () => {
  const { result, diags } = runCase({ name: "broken", files: { "types.ts": "export interface Item { id: string " }, src: 'import { Item } from "./types";', root: "{ a: Item }", ctx: POST });
  assert.deepEqual(diags, []);
  assert.deepEqual(result.schema!.properties, { a: { "x-reprise-source": "body" } });
});

test("diagnostic: the builder never throws, whatever type syntax it meets", () => {
  const weird = [
    "{ a: import('./x').Y }",
    "{ a: infer U }",
    "{ a: this }",
    "{ [K in keyof string as `x${K}`]: K }",
    "{ a: unique symbol }",
    "{ a: asserts x is string }",
    "{ a: new () => X }",
    "{ a: [x?: number, ...rest: string[]] }",
    "{ a: Partial<Partial<Partial<{}>>> }",
    "{ a: Array<> }",
    "{ a: Pick<{ x: 1 }, keyof { x: 1 }> }",
    "Recur<string>",
  ];
  for (const root of weird) {
    const app = new MemoryApp({ "main.ts": `type Recur<T> = { next: Recur<T[]> };\ntype __Root = ${root};\n` });
    const pf = app.files.get("main.ts")!;
    if (!pf.module) continue;
    const r = app.build("main.ts", "request", POST);
    assert.ok(Array.isArray(r.diagnostics));
  }
});

test("diagnostic: seeded mutations of type declarations never make the builder fail internally", () => {
  const base = `import { Header, Query } from "encore.dev/api";
import { Min, MaxLen, IsEmail } from "encore.dev/validate";
enum Kind { A = "a", B = "b" }
interface Base<T = string> { id: T; kind: Kind; tags: string[] & MaxLen<3> }
interface Item extends Base<number> { child?: Item | null; meta: Record<string, unknown>; when: Date }
type Page<T> = { items: T[]; next: string | null };
type Pick2 = Pick<Item, "id" | "kind"> & Partial<Omit<Item, "id">>;
type Keys = keyof Item;
type Mapped = { [K in Keys]?: boolean };
export interface Req { h: Header<"X-H">; q?: Query<number & Min<1>>; page: Page<Item>; p: Pick2; m: Mapped; e: string & IsEmail }
`;
  const tokens = base.split(/(\s+|[<>{}()[\];:,|&?=])/).filter((t) => t !== "");
  let seed = 42;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let built = 0;
  for (let i = 0; i < 300; i++) {
    const t = [...tokens];
    for (let k = 0, n = 1 + rand(3); k < n; k++) {
      const at = rand(t.length);
      const op = rand(3);
      if (op === 0) t.splice(at, 1);
      else if (op === 1) [t[at], t[(at + 1) % t.length]] = [t[(at + 1) % t.length], t[at]];
      else t.splice(at, 0, t[rand(t.length)]);
    }
    const app = new MemoryApp({ "main.ts": `${t.join("")}\ntype __Root = Req;\n` });
    if (!app.files.get("main.ts")!.module) continue;
    for (const role of ["request", "response", "message"] as const) {
      const r = app.build("main.ts", role, GET);
      built++;
      for (const d of r.diagnostics) assert.doesNotMatch(d.message, /Internal error/, `mutation ${i}: ${d.message}`);
    }
  }
  assert.ok(built > 100, `enough mutations parsed (${built})`);
});
