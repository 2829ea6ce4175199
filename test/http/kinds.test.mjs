// The other endpoint kinds: api.raw (Node-style req/res, streamed body), api.static (Rust file serving with
// notFound, no traversal), api.streamInOut over WebSocket.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { fixture, startApp } from "./helpers.mjs";

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
});
