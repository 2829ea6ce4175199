// Response backpressure (runtime/src/outq.rs) against a real `reprise run`: a raw endpoint and a stream each write
// 50 MiB to a client that stops reading. The server's queue stays at its mark (outboundStats().peak) and its RSS
// does not grow by the body, write() returns false / send() waits, other requests are still served, and once the
// client reads again every byte arrives in order and each false was followed by a 'drain'. Inbound, a client
// that floods a streamIn handler which is not reading is held back by TCP. Also: a stream handler sees the
// upgrade request's meta through currentRequest().
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { fixture, startApp } from "./helpers.mjs";

const MB = 50;
const CHUNK = 64 * 1024;
const TOTAL = MB * 1024 * 1024;
const HIGH_WATER = 256 * 1024;
/** The bound on what the server may hold beyond its baseline while the client does not read. */
const RSS_SLACK = 25 * 1024 * 1024;
/** The most a writer gets through before it blocks on a client that reads nothing. */
const WRITTEN_MAX = 16 * 1024 * 1024;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, fn, ms = 30_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const getStats = async (url) => (await fetch(url + "/stats")).json();

/** Waits until `counter(stats)` stops moving for 400 ms: the writer is blocked on the unread client. */
async function waitBlocked(url, counter) {
  let last = -1;
  let still = 0;
  return until("the writer to block", async () => {
    const s = await getStats(url);
    const c = counter(s);
    still = c === last ? still + 1 : 0;
    last = c;
    return still >= 8 ? s : null;
  });
}

function connect(url) {
  const { hostname, port } = new URL(url);
  const sock = net.connect(Number(port), hostname);
  sock.on("error", () => {});
  return sock;
}

/** Keeps every byte `sock` receives; `wait(pred)` resolves with them once `pred(bytes)` holds (checked as they come). */
function accumulate(sock) {
  let buf = Buffer.alloc(0);
  let pending = [];
  let waiter = null;
  const check = () => {
    if (!waiter) return;
    if (pending.length) {
      buf = Buffer.concat([buf, ...pending]);
      pending = [];
    }
    if (waiter.pred(buf)) {
      clearTimeout(waiter.timer);
      const w = waiter;
      waiter = null;
      w.resolve(buf);
    }
  };
  sock.on("data", (d) => {
    pending.push(d);
    // Concatenating 50 MiB on every packet would be quadratic: check every 64 packets, and on a timer.
    if (pending.length >= 64 || (waiter && waiter.eager)) check();
  });
  return {
    wait(pred, { ms = 60_000, eager = false } = {}) {
      return new Promise((resolve, reject) => {
        const tick = setInterval(check, 50);
        const timer = setTimeout(() => {
          clearInterval(tick);
          waiter = null;
          reject(new Error(`timed out with ${buf.length + pending.reduce((n, d) => n + d.length, 0)} bytes`));
        }, ms);
        waiter = {
          pred,
          eager,
          timer,
          resolve: (v) => {
            clearInterval(tick);
            resolve(v);
          },
        };
        check();
      });
    },
  };
}

/** Server → client WebSocket frames (unmasked) in `buf`, or null when the buffer ends mid-frame. */
function frames(buf) {
  const out = [];
  let p = 0;
  while (p + 2 <= buf.length) {
    const op = buf[p] & 0x0f;
    let len = buf[p + 1] & 0x7f;
    let h = 2;
    if (len === 126) {
      if (p + 4 > buf.length) break;
      len = buf.readUInt16BE(p + 2);
      h = 4;
    } else if (len === 127) {
      if (p + 10 > buf.length) break;
      len = Number(buf.readBigUInt64BE(p + 2));
      h = 10;
    }
    if (p + h + len > buf.length) break;
    out.push({ op, payload: buf.subarray(p + h, p + h + len) });
    p += h + len;
  }
  return out;
}

const upgrade = (path, extra = "") =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
  `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;

test("response backpressure and stream request meta", async (t) => {
  const app = await startApp(t, fixture("flow"), { env: { NODE_OPTIONS: "--expose-gc" } });
  const base = await getStats(app.url);

  await t.test("api.raw: write() returns false, the queue stays at its mark, 'drain' follows, every byte arrives", async () => {
    const sock = connect(app.url);
    const acc = accumulate(sock);
    sock.pause();
    await once(sock, "connect");
    sock.write(`GET /big?mb=${MB} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    const blocked = await waitBlocked(app.url, (s) => s.raw.falses);
    assert.ok(blocked.raw.started && !blocked.raw.done, "the handler is still writing");
    assert.ok(blocked.raw.falses > 0, "write() returned false");
    // What the handler got to write is what the socket buffers (a few MiB on loopback), hyper's 128 KiB and the queue.
    assert.ok(blocked.raw.written <= WRITTEN_MAX, `the handler wrote ${blocked.raw.written} bytes before blocking`);
    assert.ok(blocked.peak <= HIGH_WATER + CHUNK, `one queue held ${blocked.peak} bytes (mark ${HIGH_WATER} + one chunk)`);
    assert.ok(blocked.rss - base.rss < RSS_SLACK, `RSS grew by ${((blocked.rss - base.rss) / 1048576).toFixed(1)} MiB while ${MB} MiB were pending`);
    // The server keeps serving meanwhile.
    const ping = await fetch(app.url + "/ping");
    assert.deepEqual(await ping.json(), { ok: true });

    const done = acc.wait((b) => {
      const end = b.indexOf("\r\n\r\n");
      return end >= 0 && b.length >= end + 4 + TOTAL;
    });
    sock.resume();
    const buf = await done;
    sock.destroy();
    const headEnd = buf.indexOf("\r\n\r\n");
    const head = buf.subarray(0, headEnd).toString("latin1");
    assert.match(head, /^HTTP\/1\.1 200/);
    assert.match(head, new RegExp(`content-length: ${TOTAL}`, "i"));
    const body = buf.subarray(headEnd + 4);
    assert.equal(body.length, TOTAL, "no more, no less");
    for (let c = 0; c < TOTAL / CHUNK; c++) {
      if (!body.subarray(c * CHUNK, (c + 1) * CHUNK).equals(Buffer.alloc(CHUNK, c % 251))) assert.fail(`chunk ${c} is not filled with ${c % 251}`);
    }
    const after = await until("the handler to finish", async () => {
      const s = await getStats(app.url);
      return s.raw.done ? s : null;
    });
    assert.equal(after.raw.drains, after.raw.falses, "each false was followed by one 'drain'");
    assert.equal(after.queued, 0, "nothing left queued");
  });

  await t.test("streamOut: send() waits while the queue is full, messages arrive intact and in order", async () => {
    const sock = connect(app.url);
    const acc = accumulate(sock);
    await once(sock, "connect");
    const head = acc.wait((b) => b.indexOf("\r\n\r\n") >= 0, { ms: 10_000, eager: true });
    sock.write(upgrade(`/ws/big?mb=${MB}`));
    const first = await head;
    sock.pause();
    assert.match(first.toString("latin1"), /^HTTP\/1\.1 101/);
    const blocked = await waitBlocked(app.url, (s) => s.ws.sent);
    assert.ok(blocked.ws.started && !blocked.ws.done, "the handler is still sending");
    assert.ok(blocked.ws.waited > 0, "send() did not resolve while the queue was full");
    assert.ok(blocked.ws.sent * CHUNK <= WRITTEN_MAX, `the handler sent ${blocked.ws.sent} messages before blocking`);
    assert.ok(blocked.peak <= HIGH_WATER + CHUNK + 64, `one queue held ${blocked.peak} bytes`);
    assert.ok(blocked.rss - base.rss < RSS_SLACK, `RSS grew by ${((blocked.rss - base.rss) / 1048576).toFixed(1)} MiB`);
    assert.deepEqual(await (await fetch(app.url + "/ping")).json(), { ok: true });

    const n = TOTAL / CHUNK;
    // The close frame is the last one; looking for it only in the tail keeps each check cheap.
    const rest = acc.wait((b) => b.length > 2 && b[b.length - 2] === 0x03 && b[b.length - 1] === 0xe8 && frames(b.subarray(b.indexOf("\r\n\r\n") + 4)).some((f) => f.op === 8));
    sock.resume();
    const all = await rest;
    const got = frames(all.subarray(all.indexOf("\r\n\r\n") + 4));
    sock.destroy();
    const texts = got.filter((f) => f.op === 1);
    assert.equal(texts.length, n, "every message arrived");
    texts.forEach((f, i) => {
      const m = JSON.parse(f.payload.toString("utf8"));
      assert.equal(m.i, i, "in order");
      assert.equal(m.s.length, CHUNK);
    });
    const after = await until("the stream handler to finish", async () => {
      const s = await getStats(app.url);
      return s.ws.done ? s : null;
    });
    assert.equal(after.ws.sent, n);
  });

  await t.test("streamIn: a client sending faster than the handler reads is held back by TCP, then all arrive", async () => {
    const N = 2000;
    const SIZE = 32 * 1024;
    const payload = (s) => Buffer.from(JSON.stringify({ s }));
    // A client frame: text, FIN, masked with a zero key (so the payload goes as is).
    const frame = (p) => Buffer.concat([Buffer.from([0x81, 0x80 | 126, p.length >> 8, p.length & 255, 0, 0, 0, 0]), p]);
    const before = await (await fetch(app.url + "/in/stats")).json();
    const sock = connect(app.url);
    const acc = accumulate(sock);
    await once(sock, "connect");
    const head = acc.wait((b) => b.indexOf("\r\n\r\n") >= 0, { ms: 10_000, eager: true });
    sock.write(upgrade("/ws/slow-in"));
    assert.match((await head).toString("latin1"), /^HTTP\/1\.1 101/);
    let flushed = 0;
    const msg = frame(payload("y".repeat(SIZE)));
    for (let i = 0; i < N; i++) sock.write(msg, () => flushed++);
    // Wait until the client's writes stop completing: the server has stopped reading.
    let last = -1;
    let still = 0;
    await until("the client's writes to stall", async () => {
      still = flushed === last ? still + 1 : 0;
      last = flushed;
      return still >= 8;
    });
    assert.ok(flushed < N / 2, `only part of the ${N} messages left the client (${flushed})`);
    const held = await (await fetch(app.url + "/in/stats")).json();
    assert.equal(held.consumed, 0, "the handler has not read yet");
    assert.ok(held.rss - before.rss < RSS_SLACK, `RSS grew by ${((held.rss - before.rss) / 1048576).toFixed(1)} MiB`);
    const reply = acc.wait((b) => {
      const i = b.indexOf("\r\n\r\n");
      return frames(b.subarray(i + 4)).some((f) => f.op === 1);
    });
    await fetch(app.url + "/in/go", { method: "POST" });
    sock.write(frame(payload("end")));
    const buf = await reply;
    sock.destroy();
    const [res] = frames(buf.subarray(buf.indexOf("\r\n\r\n") + 4)).filter((f) => f.op === 1);
    assert.deepEqual(JSON.parse(res.payload.toString("utf8")), { consumed: N, bytes: N * SIZE });
    assert.equal(flushed, N);
  });

  await t.test("a stream handler sees the upgrade request's headers, path, method and path params", async () => {
    const sock = connect(app.url);
    const acc = accumulate(sock);
    await once(sock, "connect");
    const all = acc.wait((b) => {
      const i = b.indexOf("\r\n\r\n");
      return i >= 0 && frames(b.subarray(i + 4)).some((f) => f.op === 8);
    }, { ms: 10_000, eager: true });
    sock.write(upgrade("/ws/meta/lobby?q=hi", "X-Probe: yes\r\nX-Multi: a\r\nX-Multi: b\r\n"));
    const buf = await all;
    sock.destroy();
    const [msg] = frames(buf.subarray(buf.indexOf("\r\n\r\n") + 4)).filter((f) => f.op === 1);
    const m = JSON.parse(JSON.parse(msg.payload.toString("utf8")).json);
    assert.equal(m.room, "lobby");
    assert.equal(m.q, "hi");
    assert.equal(m.method, "GET");
    assert.equal(m.path, "/ws/meta/lobby");
    assert.equal(m.pathAndQuery, "/ws/meta/lobby?q=hi");
    assert.deepEqual(m.pathParams, { room: "lobby" });
    assert.equal(m.headers["x-probe"], "yes");
    assert.deepEqual(m.headers["x-multi"], ["a", "b"]);
    assert.equal(m.headers.upgrade, "websocket");
    assert.equal(m.headers.host, "127.0.0.1");
  });
});
