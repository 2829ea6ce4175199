// Request decoding and validation in Rust: body, path, query, header placement, coercion, errors naming fields.
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { fixture, json, startApp } from "./helpers.mjs";

/**
 * Uploads `total` bytes to `path` (chunked, or with Content-Length) without waiting for the server, then sends a
 * second request on the same connection; resolves with everything read and any socket error seen.
 */
function uploadThenAsk(url, path, total, { chunked }) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    const got = [];
    let error = null;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error("upload test timed out")); }, 20_000);
    sock.on("data", (d) => got.push(d));
    sock.on("error", (e) => (error = e.code ?? String(e)));
    sock.on("close", () => { clearTimeout(timer); resolve({ text: Buffer.concat(got).toString("latin1"), error }); });
    sock.on("connect", async () => {
      const host = `${hostname}:${port}`;
      sock.write(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\n` + (chunked ? "Transfer-Encoding: chunked\r\n\r\n" : `Content-Length: ${total}\r\n\r\n`));
      const piece = Buffer.alloc(64 * 1024, 0x78);
      for (let sent = 0; sent < total && !sock.destroyed; sent += piece.length) {
        const frame = chunked ? Buffer.concat([Buffer.from(piece.length.toString(16) + "\r\n"), piece, Buffer.from("\r\n")]) : piece;
        if (!sock.write(frame)) await new Promise((r) => sock.once("drain", r));
      }
      if (sock.destroyed) return;
      if (chunked) sock.write("0\r\n\r\n");
      sock.write(`GET /headers/echo HTTP/1.1\r\nHost: ${host}\r\nX-Probe: after\r\nConnection: close\r\n\r\n`);
    });
  });
}

test("validation", async (t) => {
  const app = await startApp(t, fixture("basic"));
  const post = (body) => fetch(app.url + "/users", { method: "POST", headers: { "content-type": "application/json" }, body });
  const valid = { name: "Ada", email: "ada@example.com", age: 36, tags: ["a", "b"] };

  await t.test("a valid body reaches the handler typed", async () => {
    const r = await post(JSON.stringify(valid));
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { id: 1, ...valid });
  });

  await t.test("invalid fields are 400 invalid_argument naming the field", async () => {
    const cases = [
      [{ ...valid, email: "not-an-email" }, "email"],
      [{ ...valid, name: "" }, "name"],
      [{ ...valid, name: "x".repeat(65) }, "name"],
      [{ ...valid, age: 151 }, "age"],
      [{ ...valid, age: -1 }, "age"],
      [{ ...valid, age: "36" }, "age"],
      [{ ...valid, tags: Array(11).fill("t") }, "tags"],
      [{ ...valid, tags: ["ok", 5] }, "tags[1]"],
      [{ name: "Ada", age: 3 }, "email"],
    ];
    for (const [body, field] of cases) {
      const r = await post(JSON.stringify(body));
      assert.equal(r.status, 400, JSON.stringify(body));
      const e = await r.json();
      assert.equal(e.code, "invalid_argument");
      assert.equal(e.details.field, field);
      assert.ok(e.message.includes(field.replace(/\[.*/, "")), e.message);
    }
  });

  await t.test("malformed JSON and non-object bodies are 400", async () => {
    for (const body of ["{", "[1,2]", '"str"', "{\"name\": \"a\",}"]) {
      const r = await post(body);
      assert.equal(r.status, 400, body);
      assert.equal((await r.json()).code, "invalid_argument");
    }
  });

  await t.test("path, query and header fields are coerced to their types", async () => {
    const r = await fetch(app.url + "/items/42?verbose=true&tag=a&tag=b", { headers: { "x-token": "tok" } });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { id: 42, idType: "number", verbose: true, tag: ["a", "b"], token: "tok" });
    const bad = await fetch(app.url + "/items/abc");
    assert.equal(bad.status, 400);
    assert.equal((await json(bad)).details.field, "id");
    const badQuery = await fetch(app.url + "/items/1?verbose=maybe");
    assert.equal((await json(badQuery)).details.field, "verbose");
  });

  await t.test("bodies over the endpoint's limit are 413", async () => {
    const r = await fetch(app.url + "/small", { method: "POST", body: JSON.stringify({ s: "x".repeat(100) }) });
    assert.equal(r.status, 413);
    const ok = await fetch(app.url + "/small", { method: "POST", body: JSON.stringify({ s: "xy" }) });
    assert.deepEqual(await ok.json(), { len: 2 });
  });

  for (const chunked of [true, false]) {
    await t.test(`a client still uploading past the limit (${chunked ? "chunked" : "Content-Length"}) reads the 413, and the connection stays usable`, async () => {
      const { text, error } = await uploadThenAsk(app.url, "/small", 4 * 1024 * 1024, { chunked });
      assert.equal(error, null, "no connection reset");
      assert.match(text, /^HTTP\/1\.1 413 /);
      assert.match(text, /"code":"resource_exhausted"/);
      const second = text.indexOf("HTTP/1.1 200");
      assert.ok(second > 0, "the follow-up request on the same connection is answered: " + text.slice(0, 300));
      assert.match(text.slice(second), /"probe":"after"/);
    });
  }
});
