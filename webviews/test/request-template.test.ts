import { test } from "node:test";
import assert from "node:assert/strict";
import type { Endpoint } from "@reprise/protocol";
import { sampleValue } from "@reprise/protocol";
import { draftRequest, draftUrl, publishDraft, publishOutcome } from "../src/request-template.js";
import type { CallResult } from "../src/messages.js";

const base: Endpoint = {
  name: "e", service: "s", method: ["GET"], path: "/hello/:name", expose: true, auth: false, raw: false,
  pathSegments: [{ type: "literal", value: "hello" }, { type: "param", value: "name", valueType: "string" }],
  streaming: null, static: null, bodyLimit: null, tags: [], sensitive: false, doc: null, exported: true,
  request: null, response: null, handshake: null, location: { file: "s/a.ts", range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } },
};

test("GET without a schema: path params get a placeholder, no body", () => {
  const d = draftRequest(base);
  assert.deepEqual(d, { method: "GET", path: "/hello/name", query: [], headers: [], body: "" });
});

test("GET with fields: unsourced fields go to the query (Encore's rule), headers by x-reprise-name", () => {
  const d = draftRequest({ ...base, request: { type: "object", required: ["name", "limit"], properties: {
    name: { type: "string", "x-reprise-source": "path", examples: ["ada"] },
    limit: { type: "integer", minimum: 1 },
    auth: { type: "string", "x-reprise-source": "header", "x-reprise-name": "Authorization", default: "Bearer x" } } } });
  assert.equal(d.path, "/hello/ada");
  assert.deepEqual(d.query, [{ name: "limit", value: "1" }]);
  assert.deepEqual(d.headers, [{ name: "Authorization", value: "Bearer x" }]);
  assert.equal(d.body, "");
});

test("POST: JSON body skeleton with required fields, refs resolved, content type set", () => {
  const d = draftRequest({ ...base, method: ["POST"], path: "/users", pathSegments: [{ type: "literal", value: "users" }], request: {
    type: "object", required: ["user", "tags"], $defs: { User: { type: "object", required: ["email", "age"], properties: { email: { type: "string", format: "email" }, age: { type: "number" }, nick: { type: "string" } } } },
    properties: { user: { $ref: "#/$defs/User" }, tags: { type: "array", items: { type: "string" } }, kind: { enum: ["a", "b"] } } } });
  assert.equal(d.method, "POST");
  assert.deepEqual(JSON.parse(d.body), { user: { email: "user@example.com", age: 0 }, tags: [], kind: "a" });
  assert.deepEqual(d.headers, [{ name: "Content-Type", value: "application/json" }]);
});

test("odd schemas never throw: self-reference, non-object properties, unknown types", () => {
  const self = { type: "object", required: ["next"], properties: { next: { $ref: "#" } } };
  assert.doesNotThrow(() => sampleValue(self, self, { fields: "required" }));
  assert.doesNotThrow(() => draftRequest({ ...base, method: ["*"], request: { properties: { a: 5, b: null, c: { type: ["null", "string"] } } } as never }));
  assert.equal(draftRequest({ ...base, method: ["*"] }).method, "POST");
});

test("draftUrl joins base, path and query", () => {
  assert.equal(draftUrl("http://127.0.0.1:4000", { method: "GET", path: "/a b", query: [{ name: "q", value: "x&y" }], headers: [], body: "" }), "http://127.0.0.1:4000/a%20b?q=x%26y");
});

test("publish draft: POST of a sample message to the admin route (the lens's sample wins, names are encoded)", () => {
  const message = { type: "object", required: ["id", "tags"], properties: { id: { type: "integer" }, tags: { type: "array", items: { type: "string" } } } };
  const d = publishDraft({ name: "user signups", message });
  assert.equal(d.method, "POST");
  assert.equal(d.path, "/__reprise/admin/topics/user%20signups/publish");
  assert.deepEqual(d.headers, [{ name: "Content-Type", value: "application/json" }]);
  assert.deepEqual(JSON.parse(d.body), { id: 0, tags: [] });
  assert.deepEqual(JSON.parse(publishDraft({ name: "t", message }, { id: 5, tags: ["x"] }).body), { id: 5, tags: ["x"] });
  assert.deepEqual(JSON.parse(publishDraft({ name: "t", message: null }).body), {});
});

test("publish outcome: message id, structured refusal, plain HTTP error, no answer", () => {
  const r = (over: Partial<CallResult>): CallResult => ({ ok: true, status: 200, statusText: "OK", headers: [], body: "", truncated: false, timeMs: 1, error: null, url: "", ...over });
  assert.deepEqual(publishOutcome(r({ body: '{"messageId":"42"}' })), { ok: true, messageId: "42" });
  assert.deepEqual(publishOutcome(r({ body: '{"messageId":7}' })), { ok: true, messageId: "7" });
  assert.deepEqual(publishOutcome(r({ ok: false, status: 400, body: '{"code":"invalid_argument","message":"id: expected an integer"}' })), { ok: false, reason: "400 invalid_argument: id: expected an integer" });
  assert.deepEqual(publishOutcome(r({ ok: false, status: 404, statusText: "Not Found", body: "nope" })), { ok: false, reason: "404 Not Found" });
  assert.deepEqual(publishOutcome(r({ ok: false, status: 0, error: "connection refused (is the app running?)" })), { ok: false, reason: "connection refused (is the app running?)" });
  assert.equal(publishOutcome(r({ body: "{}" })).ok, false, "a 200 without a message id is not a publish");
});
