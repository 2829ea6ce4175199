// Cancellation (client disconnect aborts the handler's signal), deadlines (a handler that never settles gets a
// 504 and its state is dropped), pipelining, and graceful shutdown on SIGTERM/SIGINT with exit code 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, rawRequest, startApp, until } from "./helpers.mjs";

test("lifecycle", async (t) => {
  const app = await startApp(t, fixture("basic"), { env: { REPRISE_REQUEST_TIMEOUT_MS: "1500" } });

  await t.test("a client disconnect aborts the handler through its AbortSignal", async () => {
    const ac = new AbortController();
    const pending = fetch(app.url + "/slow", { signal: ac.signal }).catch((e) => e);
    await until(() => app.stdout.length > 0 || true);
    // Give the request time to reach the handler: poll the status endpoint until the slow handler has reset it.
    await until(async () => {
      const s = await (await fetch(app.url + "/slow-status")).json();
      return s.aborted === false;
    });
    ac.abort();
    await pending;
    const status = await until(async () => {
      const s = await (await fetch(app.url + "/slow-status")).json();
      return s.aborted ? s : null;
    }, { what: "the handler to see the abort" });
    assert.deepEqual(status, { aborted: true, reason: "client_gone" });
  });

  await t.test("a handler that never settles is answered 504 at the deadline", async () => {
    const started = Date.now();
    const r = await fetch(app.url + "/hang");
    assert.equal(r.status, 504);
    assert.equal((await r.json()).code, "deadline_exceeded");
    assert.ok(Date.now() - started >= 1400);
  });

  await t.test("pipelined requests are answered in order on one connection", async () => {
    const { port } = new URL(app.url);
    const req = (p) => `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;
    const out = await rawRequest(app.url, req("/items/1") + req("/nope") + req("/items/2") + `GET /items/3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const statuses = [...out.matchAll(/HTTP\/1\.1 (\d{3})/g)].map((m) => m[1]);
    assert.deepEqual(statuses, ["200", "404", "200", "200"]);
    const ids = [...out.matchAll(/"id":(\d)/g)].map((m) => m[1]);
    assert.deepEqual(ids, ["1", "2", "3"]);
  });
});

test("graceful shutdown finishes in-flight requests and exits 0", async (t) => {
  for (const signal of ["SIGTERM", "SIGINT"]) {
    const app = await startApp(t, fixture("basic"));
    const ac = new AbortController();
    const inflight = fetch(app.url + "/slow", { signal: ac.signal }).then((r) => r.status, (e) => e.name);
    await until(async () => (await (await fetch(app.url + "/slow-status")).json()).aborted === false);
    app.proc.kill(signal);
    // Shutdown aborts nothing by itself: the slow handler is still running until we let the client go.
    ac.abort();
    await inflight;
    const { code } = await app.exited;
    assert.equal(code, 0, `${signal}: exit code`);
    assert.match(app.stdout, /shutting down/);
  }
});
