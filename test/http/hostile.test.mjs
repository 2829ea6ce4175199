// 100 hostile requests (malformed JSON, wrong types, an 11 MB body, unknown routes, wrong methods, huge headers,
// `..` paths, bad UTF-8, garbage on the wire): each gets a client error, and the server keeps serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, rawRequest, startApp } from "./helpers.mjs";

test("hostile requests never take the server down", async (t) => {
  const app = await startApp(t, fixture("basic"));
  const { port } = new URL(app.url);
  const host = `127.0.0.1:${port}`;
  const big = "x".repeat(11 * 1024 * 1024);
  const valid = { name: "Ada", email: "ada@example.com", age: 36 };
  const cases = [];
  const add = (name, fn, check) => cases.push({ name, fn, check });
  const status = (expected) => (s) => (Array.isArray(expected) ? expected.includes(s) : s === expected);
  for (let i = 0; i < 15; i++) add(`malformed json ${i}`, () => fetch(app.url + "/users", { method: "POST", body: "{".repeat(i + 1) + "\"a\":" }), status(400));
  for (const [k, v] of Object.entries({ name: 5, email: ["a"], age: "old", tags: "one", name2: null })) {
    for (let i = 0; i < 4; i++) add(`wrong type ${k} ${i}`, () => fetch(app.url + "/users", { method: "POST", body: JSON.stringify({ ...valid, [k.replace("2", "")]: v }) }), status(400));
  }
  // The server answers 413 from Content-Length alone, before a byte of the body is sent (so no upload race).
  add("11 MB body", () => rawRequest(app.url, `POST /users HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${big.length}\r\n\r\n`).then((r) => Number(r.split(" ")[1])), status(413));
  // Chunked, announcing 11 MB: the server cuts it off once it passes the 2 MiB limit (we stop sending just past it).
  add("11 MB chunked body", () => rawRequest(app.url, `POST /users HTTP/1.1\r\nHost: ${host}\r\nTransfer-Encoding: chunked\r\n\r\n${(11 * 1024 * 1024).toString(16)}\r\n${big.slice(0, 2 * 1024 * 1024 + 4096)}`).then((r) => Number(r.split(" ")[1])), status(413));
  for (let i = 0; i < 15; i++) add(`unknown route ${i}`, () => fetch(app.url + `/no/such/route/${i}?x=${i}`), status(404));
  // (OPTIONS is not among them: every OPTIONS request is a CORS preflight, answered 200.)
  for (const m of ["PUT", "DELETE", "PATCH", "GET", "PURGE"]) for (let i = 0; i < 2; i++) add(`wrong method ${m} ${i}`, () => fetch(app.url + "/users", { method: m }), status(405));
  for (let i = 0; i < 5; i++) add(`huge header ${i}`, () => rawRequest(app.url, `GET /whoami HTTP/1.1\r\nHost: ${host}\r\nX-Big: ${"a".repeat(100_000 + i)}\r\n\r\n`).then((r) => Number(r.split(" ")[1])), status(431));
  for (const p of ["/static/../reprise.app", "/static/..%2f..%2freprise.app", "/static/%2e%2e/%2e%2e/reprise.app", "/static/a/../../../etc/passwd", "/static/....//reprise.app", "/static/..\\reprise.app", "/static/%2e%2e%5creprise.app", "/static/%00", "/static/../../", "/static/%c0%ae%c0%ae/reprise.app"]) {
    add(`traversal ${p}`, () => rawRequest(app.url, `GET ${p} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`).then((r) => ({ s: Number(r.split(" ")[1]), leaked: r.includes('"id"') })), (v) => v.s >= 400 && v.s < 500 && !v.leaked);
  }
  for (let i = 0; i < 5; i++) add(`bad utf-8 body ${i}`, () => fetch(app.url + "/users", { method: "POST", body: Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe - i, 0x22, 0x7d]) }), status(400));
  for (let i = 0; i < 5; i++) add(`bad utf-8 path ${i}`, () => fetch(app.url + `/items/%ff%fe${i}`), status(400));
  for (let i = 0; i < 5; i++) add(`garbage on the wire ${i}`, () => rawRequest(app.url, `\x00\x01GARBAGE ${i} \r\n\r\n`).then((r) => Number(r.split(" ")[1]) || 0), (s) => s === 0 || (s >= 400 && s < 500));
  for (let i = 0; i < 5; i++) add(`bad auth header ${i}`, () => fetch(app.url + "/me", { headers: { authorization: "Bearer " + "z".repeat(i * 100) } }), status(401));
  for (let i = 0; i < 3; i++) add(`query type ${i}`, () => fetch(app.url + `/items/1?verbose=${"x".repeat(i + 1)}`), status(400));
  assert.equal(cases.length, 100);

  for (const c of cases) {
    let r;
    try {
      r = await c.fn();
    } catch (e) {
      assert.fail(`${c.name}: ${e.message} ${e.cause?.message ?? ""}`);
    }
    const s = typeof r === "object" && r !== null && "status" in r ? r.status : r;
    if (typeof r === "object" && r !== null && "body" in r && typeof r.arrayBuffer === "function") await r.arrayBuffer().catch(() => {});
    assert.ok(c.check(s), `${c.name}: got ${JSON.stringify(s)}`);
  }
  const after = await fetch(app.url + "/users", { method: "POST", body: JSON.stringify(valid) });
  assert.equal(after.status, 200, "still serving after 100 hostile requests");
  assert.equal(app.proc.exitCode, null);
});
