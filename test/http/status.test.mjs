// Real HTTP against `reprise run` of fixtures/basic: error-code → status mapping, 404/405, auth through the
// embedded gateway, internal endpoints, service-to-service calls, middleware, response placements.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, json, rawRequest, startApp } from "./helpers.mjs";

const CODES = {
  canceled: 499, unknown: 500, invalid_argument: 400, deadline_exceeded: 504, not_found: 404, already_exists: 409,
  permission_denied: 403, resource_exhausted: 429, failed_precondition: 400, aborted: 409, out_of_range: 400,
  unimplemented: 501, internal: 500, unavailable: 503, data_loss: 500, unauthenticated: 401,
};

test("status mapping, routing, auth, internal calls", async (t) => {
  const app = await startApp(t, fixture("basic"));
  const get = (p, init) => fetch(app.url + p, init);

  await t.test("every APIError code maps to its status with {code,message,details}", async () => {
    for (const [code, status] of Object.entries(CODES)) {
      const r = await get(`/fail/${code}`);
      assert.equal(r.status, status, code);
      assert.deepEqual(await json(r), { code, message: `failed with ${code}`, details: { requested: code } });
    }
  });

  await t.test("a plain Error is a 500 internal that leaks nothing, logged with its stack", async () => {
    const r = await get("/boom");
    assert.equal(r.status, 500);
    const body = await r.text();
    assert.deepEqual(JSON.parse(body), { code: "internal", message: "an internal error occurred", details: null });
    assert.ok(!body.includes("secret"));
    const line = app.stdout.split("\n").find((l) => l.includes("secret database password"));
    assert.ok(line, "the error is logged server-side");
    const entry = JSON.parse(line);
    assert.equal(entry.level, "error");
    assert.match(entry.stack, /api\.ts:\d+/, "the stack points at the .ts source");
  });

  await t.test("unknown routes are 404 JSON, wrong methods 405 with Allow", async () => {
    const r = await get("/nope");
    assert.equal(r.status, 404);
    assert.equal((await json(r)).code, "not_found");
    const m = await get("/users", { method: "GET" });
    assert.equal(m.status, 405);
    assert.equal(m.headers.get("allow"), "POST");
  });

  await t.test("auth: allowed, denied, missing, crashing", async () => {
    const ok = await get("/me", { headers: { authorization: "Bearer good" } });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { userID: "u1" });
    const missing = await get("/me");
    assert.equal(missing.status, 401);
    assert.equal((await missing.json()).code, "unauthenticated");
    const bad = await get("/me", { headers: { authorization: "Bearer nope" } });
    assert.equal(bad.status, 401);
    const crash = await get("/me", { headers: { authorization: "Bearer crash" } });
    assert.equal(crash.status, 500);
    assert.equal((await crash.json()).message, "an internal error occurred");
    const optional = await get("/whoami", { headers: { authorization: "Bearer good" } });
    assert.deepEqual(await optional.json(), { userID: "u1" });
    assert.deepEqual(await (await get("/whoami")).json(), { userID: null });
  });

  await t.test("expose:false endpoints are unreachable from outside but callable through clients", async () => {
    const outside = await get("/secret", { method: "POST", body: JSON.stringify({ n: 1 }) });
    assert.equal(outside.status, 404);
    const viaClient = await get("/call-secret", { headers: { authorization: "Bearer good" } });
    assert.equal(viaClient.status, 200);
    assert.deepEqual(await viaClient.json(), { fromSecret: 42, auth: "u1" }, "auth data propagates to the callee");
    const anon = await (await get("/call-secret")).json();
    assert.deepEqual(anon, { fromSecret: 42, auth: null });
  });

  await t.test("service calls are validated by the runtime and errors come back as APIError", async () => {
    const r = await get("/call-secret-bad");
    assert.deepEqual(await r.json(), { caught: "invalid_argument", name: "APIError", isAPIError: true });
  });

  await t.test("middleware runs for targeted endpoints", async () => {
    const r = await get("/tagged");
    assert.equal(r.headers.get("x-middleware"), "ran");
    assert.deepEqual(await r.json(), { data: { seenBy: "mw" } });
    const untargeted = await get("/whoami");
    assert.equal(untargeted.headers.get("x-middleware"), null);
  });

  await t.test("HttpStatus fields set the status; void handlers answer 200 with no body", async () => {
    const r = await get("/created", { method: "POST" });
    assert.equal(r.status, 201);
    assert.deepEqual(await r.json(), { id: "x" });
    const n = await get("/nothing", { method: "POST" });
    assert.equal(n.status, 200);
    assert.equal(await n.text(), "");
  });

  await t.test("currentRequest().headers is populated on typed endpoints", async () => {
    const r = await get("/headers/echo", { headers: { "X-Probe": "p1" } });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { probe: "p1", multi: null, hasHost: true, stable: true });
    // Repeated headers arrive as an array (fetch would merge them, so send raw bytes).
    const host = new URL(app.url).host;
    const raw = await rawRequest(app.url, `GET /headers/echo HTTP/1.1\r\nHost: ${host}\r\nX-Multi: a\r\nX-Multi: b\r\nConnection: close\r\n\r\n`);
    assert.match(raw, /^HTTP\/1\.1 200/);
    assert.deepEqual(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)), { probe: null, multi: ["a", "b"], hasHost: true, stable: true });
  });
});
