// The other endpoint kinds: api.raw (Node-style req/res, streamed body), api.static (Rust file serving with
// notFound, no traversal), api.streamIn / streamOut / streamInOut over WebSocket.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fixture, rawRequest, startApp } from "./helpers.mjs";

// Node 20 has WebSocket behind a flag, so the client runs in a child: it sends `send` on open and reports every
// message it got plus the close code once the server closes.
async function wsSession(t, url, send) {
  const client = `
    const ws = new WebSocket(process.argv[1]);
    const got = [];
    ws.onopen = () => { for (const m of JSON.parse(process.argv[2])) ws.send(JSON.stringify(m)); };
    ws.onmessage = (m) => got.push(JSON.parse(m.data));
    ws.onclose = (e) => { console.log(JSON.stringify({ got, code: e.code, reason: e.reason })); process.exit(0); };
    ws.onerror = () => {};
    setTimeout(() => { console.log(JSON.stringify({ timeout: true, got })); process.exit(1); }, 10000);
  `;
  const child = spawn(process.execPath, ["--experimental-websocket", "-e", client, url, JSON.stringify(send)], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await new Promise((r) => child.once("exit", r));
  return JSON.parse(out.trim());
}

const upgradeHead = (path, host) =>
  `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;

test("raw, static and streaming endpoints", async (t) => {
  const app = await startApp(t, fixture("basic"));

  await t.test("api.raw gets the streamed body and writes its own response", async () => {
    const body = "x".repeat(200_000);
    const r = await fetch(app.url + "/raw/echo", { method: "POST", body });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/plain");
    assert.equal(r.headers.get("x-method"), "POST");
    assert.equal(await r.text(), "echo:" + body);
  });

  const streamedBody = (total, piece = 64 * 1024) => {
    let sent = 0;
    return new ReadableStream({
      pull(c) {
        if (sent >= total) return c.close();
        const n = Math.min(piece, total - sent);
        c.enqueue(new Uint8Array(n).fill(0x61 + ((sent / piece) % 26)));
        sent += n;
      },
    });
  };

  await t.test("api.raw takes a large chunked upload streamed in pieces", async () => {
    const total = 1_500_000;
    const r = await fetch(app.url + "/raw/echo", { method: "POST", body: streamedBody(total), duplex: "half" });
    assert.equal(r.status, 200);
    const text = await r.text();
    assert.equal(text.length, 5 + total);
    assert.equal(text.slice(5, 8), "aaa");
    assert.equal(text.slice(5 + 64 * 1024, 5 + 64 * 1024 + 3), "bbb");
    // How many chunks arrive depends on how the socket reads coalesce (fewer on an idle machine), so the count is
    // not asserted here; the 16-chunk credit window itself is covered by the runtime's cargo unit test.
    assert.ok(Number(r.headers.get("x-chunks")) >= 1, "chunks: " + r.headers.get("x-chunks"));
  });

  await t.test("api.raw: a streamed body over the limit is a 413, never handed to the handler truncated", async () => {
    const r = await fetch(app.url + "/raw/echo", { method: "POST", body: streamedBody(3 * 1024 * 1024), duplex: "half" });
    assert.equal(r.status, 413);
    assert.equal((await r.json()).code, "resource_exhausted");
    // The server keeps serving raw requests afterwards.
    const ok = await fetch(app.url + "/raw/echo", { method: "POST", body: "ok" });
    assert.equal(await ok.text(), "echo:ok");
  });

  await t.test("api.static serves files, index.html for directories, the notFound page on misses", async () => {
    const css = await fetch(app.url + "/static/site.css");
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type"), /text\/css/);
    assert.equal(await css.text(), "body{}\n");
    const index = await fetch(app.url + "/static/");
    assert.equal(await index.text(), "<h1>hello static</h1>\n");
    const miss = await fetch(app.url + "/static/missing.txt");
    assert.equal(miss.status, 404);
    assert.equal(await miss.text(), "<h1>custom 404</h1>\n");
    const head = await fetch(app.url + "/static/site.css", { method: "HEAD" });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), "7");
  });

  await t.test("api.streamInOut talks over WebSocket", async () => {
    // Node 20 has WebSocket behind a flag; run the client in a child with it.
    const client = `
      const ws = new WebSocket(process.argv[1]);
      const got = [];
      ws.onopen = () => { ws.send(JSON.stringify({ text: "hi" })); ws.send(JSON.stringify({ text: "there" })); };
      ws.onmessage = (m) => { got.push(JSON.parse(m.data)); if (got.length === 2) ws.send(JSON.stringify({ text: "bye" })); };
      ws.onclose = (e) => { console.log(JSON.stringify({ got, code: e.code })); process.exit(0); };
      ws.onerror = () => { console.log(JSON.stringify({ error: true })); process.exit(1); };
      setTimeout(() => { console.log(JSON.stringify({ timeout: true, got })); process.exit(1); }, 10000);
    `;
    const wsUrl = app.url.replace("http:", "ws:") + "/ws/chat";
    const child = spawn(process.execPath, ["--experimental-websocket", "-e", client, wsUrl], { stdio: ["ignore", "pipe", "inherit"] });
    t.after(() => child.kill("SIGKILL"));
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    await new Promise((r) => child.once("exit", r));
    const res = JSON.parse(out.trim());
    assert.deepEqual(res.got, [{ echo: "HI" }, { echo: "THERE" }]);
    assert.equal(res.code, 1000);
    const plain = await fetch(app.url + "/ws/chat");
    assert.equal(plain.status, 426);
  });
  await t.test("api.streamIn reads the client's messages and answers once with the handshake's params", async () => {
    const ws = app.url.replace("http:", "ws:");
    const res = await wsSession(t, ws + "/ws/sum?label=abc", [{ n: 2 }, { n: 3 }, { n: 37 }, { done: true }]);
    assert.deepEqual(res.got, [{ label: "abc", total: 42, count: 3 }]);
    assert.equal(res.code, 1000);
    // A handshake missing its required query param is refused before the upgrade.
    const host = new URL(app.url).host;
    const refused = await rawRequest(app.url, upgradeHead("/ws/sum", host));
    assert.match(refused, /^HTTP\/1\.1 400/);
    assert.match(refused, /invalid_argument/);
    assert.match(refused, /label/);
  });

  await t.test("api.streamOut sends messages built from the handshake's path and query params, then closes", async () => {
    const ws = app.url.replace("http:", "ws:");
    const res = await wsSession(t, ws + "/ws/ticks/3?prefix=p", []);
    assert.deepEqual(res.got, [{ tick: "p0" }, { tick: "p1" }, { tick: "p2" }]);
    assert.equal(res.code, 1000);
    const none = await wsSession(t, ws + "/ws/ticks/0", []);
    assert.deepEqual(none.got, []);
    assert.equal(none.code, 1000);
    const host = new URL(app.url).host;
    const refused = await rawRequest(app.url, upgradeHead("/ws/ticks/notanumber", host));
    assert.match(refused, /^HTTP\/1\.1 400/);
    assert.match(refused, /count/);
    const upgraded = await rawRequest(app.url, upgradeHead("/ws/ticks/1", host));
    assert.match(upgraded, /^HTTP\/1\.1 101/);
    assert.match(upgraded, /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/i);
  });
});
