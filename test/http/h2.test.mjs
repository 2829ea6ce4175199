// HTTP/2 cleartext with prior knowledge (h2c) on the same port as HTTP/1.1, against a real `reprise run`: JSON
// endpoints, validation 400, 404, many concurrent streams on one connection, HTTP/1.1 beside it, response
// backpressure through HTTP/2 flow control, and graceful
// shutdown with HTTP/2 connections open (in-flight streams finish, idle sessions get GOAWAY, exit 0).
import { test } from "node:test";
import assert from "node:assert/strict";
import http2 from "node:http2";
import { once } from "node:events";
import { fixture, startApp } from "./helpers.mjs";

function session(t, url) {
  const s = http2.connect(url);
  s.on("error", () => {});
  t.after(() => s.destroy());
  return s;
}

/** One request on `s`; resolves with status, headers and the parsed body. */
function request(s, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = s.request({ ":method": method, ":path": path, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers });
    let head;
    let text = "";
    req.setEncoding("utf8");
    req.on("response", (h) => (head = h));
    req.on("data", (d) => (text += d));
    req.on("end", () => {
      let json;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = text;
      }
      resolve({ status: head?.[":status"], headers: head, body: json });
    });
    req.on("error", reject);
    req.setTimeout(10_000, () => req.close(http2.constants.NGHTTP2_CANCEL));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

test("HTTP/2 cleartext beside HTTP/1.1", async (t) => {
  const app = await startApp(t, fixture("basic"));
  const s = session(t, app.url);

  await t.test("GET and POST JSON endpoints", async () => {
    const r = await request(s, "GET", "/items/42?verbose=true&tag=a&tag=b", undefined, { "x-token": "tok" });
    assert.equal(r.status, 200);
    assert.match(r.headers["content-type"], /application\/json/);
    assert.deepEqual(r.body, { id: 42, idType: "number", verbose: true, tag: ["a", "b"], token: "tok" });
    const u = { name: "Ada", email: "ada@example.com", age: 36, tags: ["x"] };
    const p = await request(s, "POST", "/users", u);
    assert.equal(p.status, 200);
    assert.deepEqual(p.body, { id: 1, ...u });
  });

  await t.test("validation errors, 404 and 405 are answered over HTTP/2 too", async () => {
    const bad = await request(s, "POST", "/users", { name: "Ada", email: "not-an-email", age: 36 });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, "invalid_argument");
    assert.equal(bad.body.details.field, "email");
    const malformed = await new Promise((resolve) => {
      const req = s.request({ ":method": "POST", ":path": "/users", "content-type": "application/json" });
      req.on("response", (h) => resolve(h[":status"]));
      req.resume();
      req.end("{nope");
    });
    assert.equal(malformed, 400);
    const nf = await request(s, "GET", "/no/such/route");
    assert.equal(nf.status, 404);
    assert.equal(nf.body.code, "not_found");
    const wrong = await request(s, "DELETE", "/users");
    assert.equal(wrong.status, 405);
    assert.match(wrong.headers.allow, /POST/);
  });

  await t.test("100 concurrent streams on one connection", async () => {
    const rs = await Promise.all(Array.from({ length: 100 }, (_, i) => request(s, "GET", `/items/${i}`)));
    rs.forEach((r, i) => {
      assert.equal(r.status, 200);
      assert.equal(r.body.id, i);
    });
  });

  await t.test("HTTP/1.1 still works on the same port", async () => {
    const r = await fetch(app.url + "/items/7");
    assert.equal(r.status, 200);
    assert.equal((await r.json()).id, 7);
  });
});

test("HTTP/2 flow control holds a raw response back while the client does not read", async (t) => {
  const app = await startApp(t, fixture("flow"));
  const s = session(t, app.url);
  const stats = async () => (await fetch(app.url + "/stats")).json();
  const req = s.request({ ":path": "/big?mb=20" });
  req.pause();
  let last = -1;
  let still = 0;
  let blocked;
  for (let i = 0; i < 200 && still < 8; i++) {
    await new Promise((r) => setTimeout(r, 50));
    blocked = await stats();
    still = blocked.raw.started && blocked.raw.written === last ? still + 1 : 0;
    last = blocked.raw.written;
  }
  assert.ok(still >= 8, "the handler blocked");
  assert.ok(!blocked.raw.done && blocked.raw.falses > 0, "write() returned false and the handler waits");
  assert.ok(blocked.raw.written <= 4 * 1024 * 1024, `the handler wrote ${blocked.raw.written} bytes before blocking`);
  let got = 0;
  req.on("data", (d) => (got += d.length));
  req.resume();
  await once(req, "end");
  assert.equal(got, 20 * 1024 * 1024);
  const after = await stats();
  assert.ok(after.raw.done);
  assert.equal(after.raw.drains, after.raw.falses);
});

test("graceful shutdown with HTTP/2 connections open", async (t) => {
  const app = await startApp(t, fixture("flow"));
  const busy = session(t, app.url);
  const idle = session(t, app.url);
  // The idle session has done one request, so it is a live HTTP/2 connection, not a half-open socket.
  assert.equal((await request(idle, "GET", "/ping")).status, 200);
  const goaway = once(idle, "goaway");
  const inflight = request(busy, "GET", "/wait?ms=1500");
  // Let the request reach its handler before the signal.
  await new Promise((r) => setTimeout(r, 300));
  const t0 = Date.now();
  app.proc.kill("SIGTERM");
  const r = await inflight;
  assert.equal(r.status, 200, "the in-flight stream finishes");
  assert.deepEqual(r.body, { waited: 1500 });
  await goaway;
  const { code } = await app.exited;
  assert.equal(code, 0);
  assert.ok(Date.now() - t0 < 8000, `exited ${Date.now() - t0} ms after the signal (the idle session does not hold it to the 10 s bound)`);
});
