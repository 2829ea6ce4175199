/** sampleValue: the one sample generator behind the ▶ Call lens, the topic lenses and the API explorer's drafts. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { sampleValue, schemaFields, type JSONSchema } from "../src/index.js";

const user: JSONSchema = {
  type: "object",
  properties: {
    id: { type: "integer", "x-reprise-source": "path" },
    name: { type: "string", minLength: 2 },
    role: { enum: ["admin", "member"] },
    tags: { type: "array", items: { type: "string" } },
    created: { type: "string", format: "date-time" },
    "x-trace": { type: "string", "x-reprise-source": "header" },
    manager: { $ref: "#/$defs/User" },
    either: { anyOf: [{ type: "string" }, { type: "null" }] },
  },
  required: ["id", "name", "role", "tags", "created"],
  $defs: { User: { type: "object", properties: { id: { type: "integer" }, manager: { $ref: "#/$defs/User" } }, required: ["id"] } },
};

test("sample values follow the schema and stop at cycles (every field by default)", () => {
  assert.deepEqual(sampleValue(user), {
    id: 0,
    name: "xx",
    role: "admin",
    tags: [],
    created: "2026-01-01T00:00:00Z",
    "x-trace": "",
    manager: { id: 0, manager: null },
    either: "",
  });
  assert.equal(sampleValue({ type: "integer", minimum: 5 }), 5);
  assert.equal(sampleValue({ type: "string", format: "email" }), "user@example.com");
  assert.equal(sampleValue({ type: "string", format: "uuid" }), "00000000-0000-0000-0000-000000000000");
  assert.equal(sampleValue({ type: "string", format: "date" }), "2026-01-01");
  assert.equal(sampleValue(null), null);
});

test("fields: required leaves optional fields out, through $ref and allOf", () => {
  assert.deepEqual(sampleValue(user, user, { fields: "required" }), { id: 0, name: "xx", role: "admin", tags: [], created: "2026-01-01T00:00:00Z" });
  const merged: JSONSchema = { allOf: [{ $ref: "#/$defs/A" }, { type: "object", properties: { b: { type: "boolean" } }, required: ["b"] }], $defs: { A: { type: "object", properties: { a: { type: "string" }, opt: { type: "number" } }, required: ["a"] } } };
  assert.deepEqual(sampleValue(merged, merged, { fields: "required" }), { a: "", b: false });
  assert.deepEqual(sampleValue(merged), { a: "", opt: 0, b: false });
  assert.deepEqual(schemaFields(merged).map(([k]) => k), ["a", "opt", "b"]);
});

test("const, examples, default and enum win over the type; arrays get minItems (at most 3) items", () => {
  assert.equal(sampleValue({ type: "string", const: "k", default: "d" }), "k");
  assert.equal(sampleValue({ type: "string", examples: ["e"], default: "d" }), "e");
  assert.equal(sampleValue({ type: "string", default: "d", enum: ["x"] }), "d");
  assert.deepEqual(sampleValue({ type: "array", minItems: 5, items: { type: "integer" } }), [0, 0, 0]);
});
