/**
 * The emitted schemas are valid JSON Schema 2020-12 (ajv in strict mode, with ajv-formats) and accept and reject
 * the values they are meant to: a guard that what the runtime validates with means what docs/schemas.md says.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import type { JSONSchema } from "@reprise/protocol";
import { runCase } from "./schema-helpers.js";

const require = createRequire(import.meta.url);
const Ajv2020 = require("ajv/dist/2020") as typeof import("ajv/dist/2020.js").default;
const addFormats = require("ajv-formats") as typeof import("ajv-formats").default;

function compile(schema: JSONSchema) {
  // Type lists (`"type": ["string", "null"]`) are standard; ajv's strict mode wants them opted into.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  // Reprise's annotation keywords (documented in docs/schemas.md) are not validation keywords.
  for (const k of ["x-reprise-source", "x-reprise-name", "x-reprise-type", "x-reprise-startsWith", "x-reprise-endsWith"]) ajv.addKeyword({ keyword: k, schemaType: ["string", "array"] });
  return ajv.compile(schema);
}

const SRC = `
import { Header, Query } from "encore.dev/api";
import { Min, Max, MinLen, MaxLen, IsEmail, IsURL, StartsWith, EndsWith, MatchesRegexp } from "encore.dev/validate";
import { Decimal } from "encore.dev/types";
enum Role { Admin = "admin", Member = "member" }
interface Address { city: string; zip?: string & MatchesRegexp<"^[0-9]{5}$"> }
interface Node { name: string; children?: Node[] }
export interface CreateUser {
  id: number;
  auth: Header<"Authorization">;
  name: string & MinLen<1> & MaxLen<64>;
  email: string & IsEmail;
  site?: string & IsURL;
  age: number & Min<0> & Max<150>;
  tags: (string & StartsWith<"t_"> & EndsWith<"!">)[] & MaxLen<3>;
  role: Role;
  status: "active" | "banned" | null;
  address: Address;
  tree?: Node;
  meta?: Record<string, number>;
  born: Date;
  big?: bigint;
  price?: Decimal;
  contact?: string & (IsEmail | IsURL);
  anything?: unknown;
  ref?: string & StartsWith<"a-b/c."> & EndsWith<"(1)">;
}`;

const valid = {
  id: 7,
  auth: "Bearer x",
  name: "Ada",
  email: "ada@example.com",
  site: "https://example.com/a",
  age: 36,
  tags: ["t_a!", "t_b!"],
  role: "admin",
  status: null,
  address: { city: "Paris", zip: "75001" },
  tree: { name: "root", children: [{ name: "leaf", children: [] }] },
  meta: { a: 1 },
  born: "1815-12-10T00:00:00Z",
  big: "123456789012345678901234567890",
  price: "12.50",
  contact: "https://ada.dev",
  anything: { x: [1, 2] },
  ref: "a-b/c.x(1)",
};

test("ajv: the schema compiles as JSON Schema 2020-12 in strict mode and accepts a valid value", () => {
  const { result, diags } = runCase({ name: "ajv", src: SRC, root: "CreateUser", ctx: { methods: ["POST"], pathParams: ["id"] } });
  assert.deepEqual(diags, []);
  const validate = compile(result.schema!);
  assert.equal(validate(valid), true, JSON.stringify(validate.errors));
});

const invalid: [string, Record<string, unknown>][] = [
  ["empty name", { name: "" }],
  ["name too long", { name: "x".repeat(65) }],
  ["bad email", { email: "not-an-email" }],
  ["bad url", { site: "no scheme" }],
  ["age below Min", { age: -1 }],
  ["age above Max", { age: 151 }],
  ["age as a string", { age: "36" }],
  ["too many tags", { tags: ["t_a!", "t_b!", "t_c!", "t_d!"] }],
  ["tag without prefix", { tags: ["a!"] }],
  ["tag without suffix", { tags: ["t_a"] }],
  ["unknown enum member", { role: "owner" }],
  ["status not in the literal union", { status: "gone" }],
  ["nested required field missing", { address: {} }],
  ["nested pattern", { address: { city: "P", zip: "7500" } }],
  ["recursive value of the wrong shape", { tree: { name: "r", children: [{ children: [] }] } }],
  ["record value of the wrong type", { meta: { a: "1" } }],
  ["date that is not a date-time", { born: "yesterday" }],
  ["bigint that is not an integer", { big: "1.5" }],
  ["decimal that is not a number", { price: "12,50" }],
  ["contact that is neither email nor url", { contact: "hello" }],
  ["a prefix with regex characters taken literally", { ref: "a-b/cXx(1)" }],
];

let compiled: ReturnType<typeof compile> | null = null;
function createUserValidator() {
  if (!compiled) compiled = compile(runCase({ name: "ajv", src: SRC, root: "CreateUser", ctx: { methods: ["POST"], pathParams: ["id"] } }).result.schema!);
  return compiled;
}

for (const [label, patch] of invalid) {
  test(`ajv: rejects ${label}`, () => {
    assert.equal(createUserValidator()({ ...valid, ...patch }), false);
  });
}

test("ajv: a missing required field is rejected, a missing optional one is not", () => {
  const validate = createUserValidator();
  const { email: _e, ...noEmail } = valid;
  assert.equal(validate(noEmail), false);
  const { site: _s, tree: _t, meta: _m, big: _b, price: _p, ...noOptional } = valid;
  assert.equal(validate(noOptional), true, JSON.stringify(validate.errors));
});

test("ajv: generics, utility types, intersections and unions of objects compile and validate", () => {
  const { result, diags } = runCase({
    name: "ajv2",
    src: "interface Item { id: string; n: number }\ninterface Page<T> { items: T[]; next: string | null }\ntype Patch = Partial<Omit<Item, \"id\">> & { id: string }\ntype Shape = { kind: \"c\"; r: number } | { kind: \"s\"; side: number }",
    root: "{ page: Page<Item>; patch: Patch; shape: Shape; ids: Exclude<\"a\" | \"b\" | \"c\", \"c\">[] }",
    ctx: { methods: ["POST"], pathParams: [] },
  });
  assert.deepEqual(diags, []);
  const validate = compile(result.schema!);
  const ok = { page: { items: [{ id: "1", n: 1 }], next: null }, patch: { id: "1" }, shape: { kind: "s", side: 2 }, ids: ["a", "b"] };
  assert.equal(validate(ok), true, JSON.stringify(validate.errors));
  assert.equal(validate({ ...ok, ids: ["c"] }), false);
  assert.equal(validate({ ...ok, patch: { n: 1 } }), false);
  assert.equal(validate({ ...ok, shape: { kind: "t" } }), false);
  assert.equal(validate({ ...ok, page: { items: [{ id: 1, n: 1 }], next: null } }), false);
});
