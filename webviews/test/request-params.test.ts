import { test } from "node:test";
import assert from "node:assert/strict";
import type { Endpoint } from "@reprise/protocol";
import { buildPath, fieldValue, historyLabel, paramFields, pushHistory, readPathParams, validateParam, withFieldValue, type HistoryEntry, type ParamField } from "../src/request-params.js";
import { draftRequest } from "../src/request-template.js";

const loc = { file: "s/a.ts", range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } };
const endpoint = (over: Partial<Endpoint>): Endpoint => ({
  name: "e", service: "s", method: ["GET"], path: "/", expose: true, auth: false, raw: false, pathSegments: [],
  streaming: null, static: null, bodyLimit: null, tags: [], sensitive: false, doc: null, exported: true,
  request: null, response: null, handshake: null, location: loc, ...over,
});

const search = endpoint({
  method: ["GET"], path: "/orgs/:org/users/:id",
  pathSegments: [{ type: "literal", value: "orgs" }, { type: "param", value: "org", valueType: "string" }, { type: "literal", value: "users" }, { type: "param", value: "id", valueType: "int" }],
  request: { type: "object", required: ["org", "id", "limit"], properties: {
    org: { type: "string", minLength: 2 },
    id: { type: "integer" },
    limit: { type: "integer", minimum: 1, maximum: 100, description: "page size" },
    sort: { anyOf: [{ const: "asc" }, { const: "desc" }, { type: "null" }] },
    tags: { type: "array", items: { type: "string", pattern: "^[a-z]+$" } },
    trace: { type: "string", format: "uuid", "x-reprise-source": "header", "x-reprise-name": "X-Trace-Id" },
    body: { type: "string", "x-reprise-source": "body" },
  } },
});

test("one field per path parameter (path order), query parameter and header, with the schema's constraints", () => {
  const fields = paramFields(search);
  assert.deepEqual(fields.map((f) => `${f.source}:${f.name}:${f.type}${f.required ? "!" : ""}`), [
    "path:org:string!", "path:id:integer!", "query:limit:integer!", "query:sort:any", "query:tags:string", "header:X-Trace-Id:string",
  ]);
  const limit = fields.find((f) => f.name === "limit")!;
  assert.equal(limit.minimum, 1);
  assert.equal(limit.maximum, 100);
  assert.equal(limit.description, "page size");
  assert.deepEqual(fields.find((f) => f.name === "sort")!.enum, ["asc", "desc"]);
  assert.equal(fields.find((f) => f.name === "tags")!.array, true);
  assert.equal(fields.find((f) => f.name === "X-Trace-Id")!.format, "uuid");
});

test("POST: unsourced fields are body fields (no input), path params still come from the route without a schema", () => {
  const fields = paramFields(endpoint({ method: ["POST"], path: "/a/:flag", pathSegments: [{ type: "literal", value: "a" }, { type: "param", value: "flag", valueType: "boolean" }],
    request: { type: "object", properties: { name: { type: "string" } } } }));
  assert.deepEqual(fields, [{ type: "boolean", source: "path", name: "flag", required: true }]);
});

test("odd schemas give free-text fields, never an exception", () => {
  for (const request of [{ $ref: "#/nowhere" }, { $ref: "#/definitions/A", definitions: { A: { $ref: "#/definitions/A" } } }, { properties: null }, { allOf: [null, 3] }, { type: ["null", "integer"] }] as any[]) {
    assert.doesNotThrow(() => paramFields(endpoint({ request })));
  }
  const f = paramFields(endpoint({ request: { type: "object", properties: { q: { type: ["integer", "null"] }, w: {} } } as any }));
  assert.deepEqual(f.map((x) => x.type), ["integer", "any"]);
});

test("validation as the user types: type, range, length, pattern, enum, format, required", () => {
  const f = (over: Partial<ParamField>): ParamField => ({ source: "query", name: "x", required: false, type: "string", ...over });
  assert.equal(validateParam(f({ required: true }), ""), "required");
  assert.equal(validateParam(f({}), ""), null);
  assert.equal(validateParam(f({ type: "integer" }), "1.5"), "must be an integer");
  assert.equal(validateParam(f({ type: "integer", minimum: 1 }), "0"), "must be ≥ 1");
  assert.equal(validateParam(f({ type: "integer", maximum: 100 }), "101"), "must be ≤ 100");
  assert.equal(validateParam(f({ type: "integer" }), "42"), null);
  assert.equal(validateParam(f({ type: "number" }), "abc"), "must be a number");
  assert.equal(validateParam(f({ type: "number" }), "-2.5e3"), null);
  assert.equal(validateParam(f({ type: "boolean" }), "yes"), "must be true or false");
  assert.equal(validateParam(f({ minLength: 2 }), "a"), "at least 2 characters");
  assert.equal(validateParam(f({ maxLength: 1 }), "ab"), "at most 1 character");
  assert.equal(validateParam(f({ pattern: "^[a-z]+$" }), "Ab"), "must match ^[a-z]+$");
  assert.equal(validateParam(f({ pattern: "(unclosed" }), "x"), null, "a pattern JS cannot compile is not held against the user");
  assert.equal(validateParam(f({ enum: ["asc", "desc"] }), "up"), "must be one of asc, desc");
  assert.equal(validateParam(f({ format: "uuid" }), "123"), "must be a UUID");
  assert.equal(validateParam(f({ format: "uuid" }), "00000000-0000-0000-0000-000000000000"), null);
  assert.equal(validateParam(f({ format: "email" }), "a@b"), null);
  assert.equal(validateParam(f({ format: "date-time" }), "2026-13-45T00:00:00Z"), "must be a date-time (RFC 3339)");
  assert.equal(validateParam(f({ format: "date" }), "2026-01-02"), null);
  assert.equal(validateParam(f({ array: true, type: "integer" }), "1, 2,x"), '"x": must be an integer');
  assert.equal(validateParam(f({ array: true, type: "integer" }), "1,2"), null);
});

test("fields and the raw request stay in step both ways (path, repeated query keys, headers)", () => {
  const fields = paramFields(search);
  const byName = (n: string) => fields.find((f) => f.name === n)!;
  let d = draftRequest(search);
  d = withFieldValue(d, byName("org"), "acme corp", search.pathSegments);
  d = withFieldValue(d, byName("id"), "7", search.pathSegments);
  assert.equal(d.path, "/orgs/acme%20corp/users/7");
  assert.equal(fieldValue(byName("org"), d, search.pathSegments), "acme corp");
  d = withFieldValue(d, byName("tags"), "a, b", search.pathSegments);
  assert.deepEqual(d.query.filter((q) => q.name === "tags"), [{ name: "tags", value: "a" }, { name: "tags", value: "b" }]);
  assert.equal(fieldValue(byName("tags"), d, search.pathSegments), "a,b");
  d = withFieldValue(d, byName("tags"), "", search.pathSegments);
  assert.ok(!d.query.some((q) => q.name === "tags"), "an empty optional parameter is not sent");
  d = withFieldValue(d, byName("X-Trace-Id"), "t1", search.pathSegments);
  assert.equal(fieldValue(byName("X-Trace-Id"), { ...d, headers: [{ name: "x-trace-id", value: "t2" }] }, search.pathSegments), "t2", "header names match case-insensitively");
  assert.equal(fieldValue(byName("limit"), d, search.pathSegments), "1", "the draft's sample shows in the field");
  // The user typed a path that no longer fits the route: path fields show empty rather than a wrong split.
  assert.equal(fieldValue(byName("id"), { ...d, path: "/orgs/x" }, search.pathSegments), "");
});

test("path round trip: wildcards keep their slashes, encoded segments decode", () => {
  const segs = [{ type: "literal", value: "files" }, { type: "wildcard", value: "rest" }] as const;
  assert.equal(buildPath([...segs], new Map([["rest", "a b/c"]])), "/files/a%20b/c");
  assert.deepEqual([...readPathParams([...segs], "/files/a%20b/c")!], [["rest", "a b/c"]]);
  assert.equal(readPathParams([{ type: "literal", value: "x" }], "/y"), null);
  assert.equal(readPathParams([{ type: "param", value: "p" }], "/%E0%A4%A")!.get("p"), "%E0%A4%A", "a malformed escape is shown as typed");
});

test("history: newest first, a repeated request moves up, capped", () => {
  const entry = (path: string, at: number): HistoryEntry => ({ at, draft: { method: "GET", path, query: [], headers: [], body: "" }, status: 200, error: null, timeMs: 3.2 });
  let h: HistoryEntry[] = [];
  h = pushHistory(h, entry("/a", 1));
  h = pushHistory(h, entry("/b", 2));
  h = pushHistory(h, entry("/a", 3));
  assert.deepEqual(h.map((e) => `${e.draft.path}@${e.at}`), ["/a@3", "/b@2"]);
  for (let i = 0; i < 30; i++) h = pushHistory(h, entry(`/${i}`, 10 + i), 5);
  assert.equal(h.length, 5);
  assert.match(historyLabel({ ...entry("/x", Date.UTC(2026, 0, 1)), draft: { method: "GET", path: "/x", query: [{ name: "q", value: "1" }], headers: [], body: "" } }), /^\d\d:\d\d:\d\d GET \/x\?q=1 → 200 · 3 ms$/);
  assert.match(historyLabel({ ...entry("/x", 0), status: 0, error: "connection refused" }), /→ error: connection refused/);
});
