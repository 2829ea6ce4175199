/**
 * Table-driven tests of the schema builder's type constructs: TypeScript in, the exact JSON Schema out.
 * Wire placement, validation, diagnostics, JSON Schema behaviour and incremental invalidation have their own files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCase, type Case } from "./schema-helpers.js";

const POST = { methods: ["POST" as const], pathParams: [] };

/** Cases compare the properties of the request body (wire markers stripped), plus $defs when given. */
interface ConstructCase extends Omit<Case, "schema"> {
  props?: Record<string, unknown>;
  required?: string[];
  defs?: Record<string, unknown>;
  schema?: unknown;
}

function strip(props: Record<string, Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    const { ["x-reprise-source"]: _s, ["x-reprise-name"]: _n, ...rest } = v;
    out[k] = rest;
  }
  return out;
}

const cases: ConstructCase[] = [
  {
    name: "primitives, any and unknown",
    root: "{ s: string; n: number; b: boolean; a: any; u: unknown; z: null }",
    props: { s: { type: "string" }, n: { type: "number" }, b: { type: "boolean" }, a: {}, u: {}, z: { type: "null" } },
    required: ["s", "n", "b", "a", "u", "z"],
  },
  {
    name: "interface with extends (own fields override inherited ones)",
    src: "interface Base { id: string; kind: string }\ninterface Mid extends Base { at: number }\nexport interface Req extends Mid { kind: \"user\" }",
    root: "Req",
    props: { id: { type: "string" }, kind: { type: "string", const: "user" }, at: { type: "number" } },
  },
  {
    name: "type alias of an object literal; nested objects stay inline",
    src: "type Req = { user: { name: string; address: { city: string; zip?: string } } }",
    root: "Req",
    props: {
      user: {
        type: "object",
        properties: { name: { type: "string" }, address: { type: "object", properties: { city: { type: "string" }, zip: { type: "string" } }, required: ["city"] } },
        required: ["name", "address"],
      },
    },
  },
  {
    name: "literal types and literal unions become const / enum",
    root: "{ one: \"a\"; two: \"a\" | \"b\"; n: 1 | 2 | -3; yes: true; bool: true | false; mixed: \"a\" | 1; absorbed: \"x\" | string }",
    props: {
      one: { type: "string", const: "a" },
      two: { type: "string", enum: ["a", "b"] },
      n: { type: "number", enum: [1, 2, -3] },
      yes: { type: "boolean", const: true },
      bool: { type: "boolean" },
      mixed: { type: ["string", "number"], enum: ["a", 1] },
      absorbed: { type: "string" },
    },
  },
  {
    name: "string and numeric enums (auto-numbered, explicit, negative) and enum member types",
    src: "enum Color { Red = \"red\", Green = \"green\" }\nenum Level { Low, Mid, High = 10, Next }\nconst enum Neg { A = -1, B }",
    root: "{ c: Color; l: Level; n: Neg; only: Color.Red }",
    props: { c: { $ref: "#/$defs/Color" }, l: { $ref: "#/$defs/Level" }, n: { $ref: "#/$defs/Neg" }, only: { type: "string", const: "red" } },
    defs: { Color: { type: "string", enum: ["red", "green"] }, Level: { type: "number", enum: [0, 1, 10, 11] }, Neg: { type: "number", enum: [-1, 0] } },
  },
  {
    name: "optional fields: `f?:` and `T | undefined`",
    root: "{ a?: string; b: string | undefined; c: number | undefined | null; d: string }",
    props: { a: { type: "string" }, b: { type: "string" }, c: { type: ["number", "null"] }, d: { type: "string" } },
    required: ["d"],
  },
  {
    name: "null unions fold into type lists; refs get anyOf",
    src: "interface Item { id: string }",
    root: "{ s: string | null; o: { x: number } | null; r: Item | null; e: \"a\" | \"b\" | null; arr: string[] | null }",
    props: {
      s: { type: ["string", "null"] },
      o: { type: ["object", "null"], properties: { x: { type: "number" } }, required: ["x"] },
      r: { anyOf: [{ $ref: "#/$defs/Item" }, { type: "null" }] },
      e: { type: ["string", "null"], enum: ["a", "b", null] },
      arr: { type: ["array", "null"], items: { type: "string" } },
    },
  },
  {
    name: "arrays: T[], Array<T>, ReadonlyArray<T>, readonly T[], nested",
    root: "{ a: string[]; b: Array<number>; c: ReadonlyArray<boolean>; d: readonly string[]; e: number[][] }",
    props: {
      a: { type: "array", items: { type: "string" } },
      b: { type: "array", items: { type: "number" } },
      c: { type: "array", items: { type: "boolean" } },
      d: { type: "array", items: { type: "string" } },
      e: { type: "array", items: { type: "array", items: { type: "number" } } },
    },
  },
  {
    name: "Record and index signatures become additionalProperties; literal-keyed Record becomes fields",
    root: "{ m: Record<string, number>; i: { [key: string]: boolean }; n: Record<number, string>; k: Record<\"a\" | \"b\", string> }",
    props: {
      m: { type: "object", additionalProperties: { type: "number" } },
      i: { type: "object", additionalProperties: { type: "boolean" } },
      n: { type: "object", additionalProperties: { type: "string" }, propertyNames: { pattern: "^-?[0-9]+(\\.[0-9]+)?$" } },
      k: { type: "object", properties: { a: { type: "string" }, b: { type: "string" } }, required: ["a", "b"] },
    },
  },
  {
    name: "Date, bigint and Decimal",
    files: { "node_modules_stub.ts": "" },
    src: "import { Decimal } from \"encore.dev/types\";",
    root: "{ at: Date; big: bigint; price: Decimal }",
    props: {
      at: { type: "string", format: "date-time" },
      big: { type: ["integer", "string"], pattern: "^-?[0-9]+$", "x-reprise-type": "bigint" },
      price: { type: ["number", "string"], pattern: "^-?[0-9]+(\\.[0-9]+)?$", "x-reprise-type": "Decimal" },
    },
  },
  {
    name: "unions of objects become anyOf",
    src: "interface Cat { kind: \"cat\"; meows: boolean }\ninterface Dog { kind: \"dog\"; barks: boolean }",
    root: "{ pet: Cat | Dog; v: string | number | Cat }",
    props: { pet: { anyOf: [{ $ref: "#/$defs/Cat" }, { $ref: "#/$defs/Dog" }] }, v: { anyOf: [{ type: "string" }, { type: "number" }, { $ref: "#/$defs/Cat" }] } },
  },
  {
    name: "intersections merge object types; a branded primitive is the primitive; others use allOf",
    src: "interface A { a: string; shared?: number }\ntype B = { b: number; shared: number }\ntype UserId = string & { __brand: \"UserId\" }\ntype U = ({ x: string } | number) & { z: string }",
    root: "{ ab: A & B; id: UserId; u: U }",
    props: {
      ab: { type: "object", properties: { a: { type: "string" }, shared: { type: "number" }, b: { type: "number" } }, required: ["a", "shared", "b"] },
      id: { $ref: "#/$defs/UserId" },
      u: { $ref: "#/$defs/U" },
    },
    defs: {
      UserId: { type: "string" },
      U: {
        allOf: [
          { anyOf: [{ type: "object", properties: { x: { type: "string" } }, required: ["x"] }, { type: "number" }] },
          { type: "object", properties: { z: { type: "string" } }, required: ["z"] },
        ],
      },
    },
  },
  {
    name: "the top-level request type may itself be an intersection or extend through aliases",
    src: "interface Paging { limit?: number }\ntype Req = Paging & { q: string }",
    root: "Req",
    props: { limit: { type: "number" }, q: { type: "string" } },
    required: ["q"],
  },
  {
    name: "recursive types go through $defs (no infinite loop)",
    src: "interface Node { value: string; children: Node[]; parent?: Node | null }\ntype Tree = { root: Node }\ninterface A { b?: B }\ninterface B { a?: A }",
    root: "{ tree: Tree; a: A }",
    props: { tree: { $ref: "#/$defs/Tree" }, a: { $ref: "#/$defs/A" } },
    defs: {
      Tree: { type: "object", properties: { root: { $ref: "#/$defs/Node" } }, required: ["root"] },
      Node: {
        type: "object",
        properties: { value: { type: "string" }, children: { type: "array", items: { $ref: "#/$defs/Node" } }, parent: { anyOf: [{ $ref: "#/$defs/Node" }, { type: "null" }] } },
        required: ["value", "children"],
      },
      A: { type: "object", properties: { b: { $ref: "#/$defs/B" } } },
      B: { type: "object", properties: { a: { $ref: "#/$defs/A" } } },
    },
  },
  {
    name: "a recursive root type: the root is inlined, nested uses reference $defs",
    src: "export interface Category { name: string; sub: Category[] }",
    root: "Category",
    schema: {
      type: "object",
      properties: { name: { type: "string", "x-reprise-source": "body" }, sub: { type: "array", items: { $ref: "#/$defs/Category" }, "x-reprise-source": "body" } },
      required: ["name", "sub"],
      $defs: { Category: { type: "object", properties: { name: { type: "string" }, sub: { type: "array", items: { $ref: "#/$defs/Category" } } }, required: ["name", "sub"] } },
    },
  },
  {
    name: "generics: parameters substituted, defaults used, instances named after their arguments",
    src: "interface Item { id: string }\ninterface Page<T, C = string> { items: T[]; cursor: C }\ntype Box<T> = { value: T }",
    root: "{ p: Page<Item>; q: Page<number, number>; b: Box<Box<boolean>> }",
    props: { p: { $ref: "#/$defs/Page_Item_string" }, q: { $ref: "#/$defs/Page_number_number" }, b: { $ref: "#/$defs/Box_Box_boolean" } },
    defs: {
      Page_Item_string: { type: "object", properties: { items: { type: "array", items: { $ref: "#/$defs/Item" } }, cursor: { type: "string" } }, required: ["items", "cursor"] },
      Item: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      Page_number_number: { type: "object", properties: { items: { type: "array", items: { type: "number" } }, cursor: { type: "number" } }, required: ["items", "cursor"] },
      Box_Box_boolean: { type: "object", properties: { value: { $ref: "#/$defs/Box_boolean" } }, required: ["value"] },
      Box_boolean: { type: "object", properties: { value: { type: "boolean" } }, required: ["value"] },
    },
  },
  {
    name: "a generic root type",
    src: "interface Envelope<T> { data: T; total: number }",
    root: "Envelope<string[]>",
    props: { data: { type: "array", items: { type: "string" } }, total: { type: "number" } },
  },
  {
    name: "utility types: Partial, Required, Readonly, Pick, Omit",
    src: "interface User { id: string; name: string; email?: string; age: number }",
    root: "{ p: Partial<User>; r: Required<Pick<User, \"email\">>; ro: Readonly<Pick<User, \"id\">>; o: Omit<User, \"age\" | \"email\"> }",
    props: {
      p: { type: "object", properties: { id: { type: "string" }, name: { type: "string" }, email: { type: "string" }, age: { type: "number" } } },
      r: { type: "object", properties: { email: { type: "string" } }, required: ["email"] },
      ro: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
      o: { type: "object", properties: { id: { type: "string" }, name: { type: "string" } }, required: ["id", "name"] },
    },
  },
  {
    name: "utility types: NonNullable, Exclude, Extract",
    src: "type Status = \"new\" | \"open\" | \"closed\"",
    root: "{ n: NonNullable<string | null>; e: Exclude<Status, \"closed\">; x: Extract<Status | number, string>; k: Exclude<\"a\" | \"b\", \"a\"> }",
    props: { n: { type: "string" }, e: { type: "string", enum: ["new", "open"] }, x: { type: "string", enum: ["new", "open", "closed"] }, k: { type: "string", const: "b" } },
  },
  {
    name: "keyof, indexed access and mapped types",
    src: "interface User { id: string; tags: string[]; role?: \"admin\" | \"user\" }\ntype Flags = { [K in keyof User]?: boolean }\ntype Same = { [K in keyof User]: User[K] }",
    root: "{ key: keyof User; id: User[\"id\"]; tag: User[\"tags\"][number]; f: Flags; s: Same; m: { [K in \"x\" | \"y\"]: number } }",
    props: {
      key: { type: "string", enum: ["id", "tags", "role"] },
      id: { type: "string" },
      tag: { type: "string" },
      f: { $ref: "#/$defs/Flags" },
      s: { $ref: "#/$defs/Same" },
      m: { type: "object", properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x", "y"] },
    },
    defs: {
      Flags: { type: "object", properties: { id: { type: "boolean" }, tags: { type: "boolean" }, role: { type: "boolean" } } },
      Same: { type: "object", properties: { id: { type: "string" }, tags: { type: "array", items: { type: "string" } }, role: { type: "string", enum: ["admin", "user"] } }, required: ["id", "tags"] },
    },
  },
  {
    name: "typeof a variable (annotation or inferred initializer) and keyof typeof an object of functions",
    src: "interface Client { ask(): Promise<string> }\nconst clients = { openai: {} as Client, claude: {} as Client };\nexport const LIMITS = { max: 10, names: [\"a\", \"b\"], at: new Date() };\nconst MODES = [\"fast\", \"slow\"] as const;\nlet user: { id: string } = { id: \"\" };",
    root: "{ provider: keyof typeof clients; limits: typeof LIMITS; mode: (typeof MODES)[number]; u: typeof user }",
    props: {
      provider: { type: "string", enum: ["openai", "claude"] },
      limits: { type: "object", properties: { max: { type: "number" }, names: { type: "array", items: { type: "string" } }, at: { type: "string", format: "date-time" } }, required: ["max", "names", "at"] },
      mode: { type: "string", enum: ["fast", "slow"] },
      u: { type: "object", properties: { id: { type: "string" } }, required: ["id"] },
    },
  },
  {
    name: "an intersection with a union distributes over it",
    src: "interface Typing { kind: \"typing\" }\ninterface Msg { kind: \"message\"; text: string }\ntype Event = (Typing | Msg) & { botID: number }",
    root: "{ e: Event }",
    props: { e: { $ref: "#/$defs/Event" } },
    defs: {
      Event: {
        anyOf: [
          { type: "object", properties: { kind: { type: "string", const: "typing" }, botID: { type: "number" } }, required: ["kind", "botID"] },
          { type: "object", properties: { kind: { type: "string", const: "message" }, text: { type: "string" }, botID: { type: "number" } }, required: ["kind", "text", "botID"] },
        ],
      },
    },
  },
  {
    name: "a pub/sub message may be a union of object types",
    src: "interface A { kind: \"a\" }\ninterface B { kind: \"b\"; n: number }",
    root: "A | B",
    role: "message",
    schema: { anyOf: [{ $ref: "#/$defs/A" }, { $ref: "#/$defs/B" }], $defs: { A: { type: "object", properties: { kind: { type: "string", const: "a" } }, required: ["kind"] }, B: { type: "object", properties: { kind: { type: "string", const: "b" }, n: { type: "number" } }, required: ["kind", "n"] } } },
  },
  {
    name: "doc comments become descriptions (fields, named types, the root)",
    src: "/** A user of the app. */\nexport interface User {\n  /** Unique id. */\n  id: string;\n  // Display name,\n  // shown in the UI.\n  name: string;\n}\n/** The request. */\nexport interface Req { user: User }",
    root: "Req",
    schema: {
      description: "The request.",
      type: "object",
      properties: { user: { $ref: "#/$defs/User", "x-reprise-source": "body" } },
      required: ["user"],
      $defs: { User: { description: "A user of the app.", type: "object", properties: { id: { description: "Unique id.", type: "string" }, name: { description: "Display name,\nshown in the UI.", type: "string" } }, required: ["id", "name"] } },
    },
  },
  {
    name: "quoted and numeric property names",
    root: "{ \"content-type\": string; 42: number }",
    props: { "content-type": { type: "string" }, "42": { type: "number" } },
  },
  {
    name: "interface declaration merging",
    src: "interface Req { a: string }\ninterface Req { b: number }",
    root: "Req",
    props: { a: { type: "string" }, b: { type: "number" } },
  },
  {
    name: "void and undefined requests have no schema",
    root: "void",
    schema: null,
    fields: [],
  },
  {
    name: "Promise<T> is unwrapped (responses)",
    src: "interface Resp { ok: boolean }",
    root: "Promise<Resp>",
    role: "response",
    props: { ok: { type: "boolean" } },
  },
  {
    name: "Promise<void> response has no schema",
    root: "Promise<void>",
    role: "response",
    schema: null,
  },
  {
    name: "an empty object type",
    root: "{}",
    schema: { type: "object", properties: {} },
    fields: [],
  },
  {
    name: "two different declarations with the same name get distinct $defs names",
    files: { "a.ts": "export interface Item { a: string }", "b.ts": "export interface Item { b: string }" },
    src: "import { Item } from \"./a\";\nimport { Item as ItemB } from \"./b\";",
    root: "{ x: Item; y: ItemB }",
    props: { x: { $ref: "#/$defs/Item" }, y: { $ref: "#/$defs/Item_2" } },
    defs: { Item: { type: "object", properties: { a: { type: "string" } }, required: ["a"] }, Item_2: { type: "object", properties: { b: { type: "string" } }, required: ["b"] } },
  },
];

for (const c of cases) {
  test(`schema: ${c.name}`, () => {
    const { result, diags } = runCase({ ...c, ctx: c.ctx ?? POST, schema: undefined } as Case);
    assert.deepEqual(diags, [], "no diagnostics expected");
    if (c.schema !== undefined) assert.deepEqual(result.schema, c.schema);
    if (c.props) {
      assert.ok(result.schema, "a schema");
      assert.deepEqual(strip(result.schema.properties as Record<string, Record<string, unknown>>), c.props);
    }
    if (c.required) assert.deepEqual(result.schema?.required ?? [], c.required);
    if (c.defs) assert.deepEqual(result.schema?.$defs, c.defs);
    if (c.fields) assert.deepEqual(result.fields, c.fields);
  });
}
