// A load generator with exact accounting, for the load-hold test (load.test.mjs) and the soak (bench/soak.mjs).
// It drives the fixture app test/http/fixtures/load with a mix of every kind of request the runtime's path has —
// GET, validated POST, invalid bodies answered in Rust, handlers that throw, auth accepted and refused, a
// service-to-service call, a raw endpoint and a streaming (WebSocket) endpoint — over keep-alive HTTP/1.1
// connections, some of them pipelining, written directly on sockets so that each response is matched to the
// request it answers: every request sent must get exactly one response, of the expected status and body.
// No sleeps: rounds end by a flag, waits are promises with deadlines.
import net from "node:net";
import { randomBytes } from "node:crypto";

const VALID = JSON.stringify({ name: "Ada Lovelace", email: "ada@example.com", age: 36, tags: ["math", "poetry"] });
const INVALID = JSON.stringify({ name: "Ada Lovelace", email: "not-an-email", age: 36, tags: ["math"] });

/** The mix: each kind builds request `i` and checks its response. */
export const KINDS = [
  { name: "GET", build: (i) => ["GET", `/hello/u${i}`], check: (r, i) => r.status === 200 && r.body === `{"message":"Hello u${i}!"}` },
  { name: "POST valid", build: () => ["POST", "/users", VALID], check: (r) => r.status === 200 && r.body.includes('"name":"Ada Lovelace"') },
  { name: "POST invalid (Rust)", build: () => ["POST", "/users", INVALID], check: (r) => r.status === 400 && r.body.includes('"code":"invalid_argument"') },
  { name: "handler throws", build: (i) => ["POST", "/parity", `{"n":${2 * i + 1}}`], check: (r, i) => r.status === 400 && r.body.includes(`${2 * i + 1} is odd`) },
  { name: "handler answers", build: (i) => ["POST", "/parity", `{"n":${2 * i}}`], check: (r, i) => r.status === 200 && r.body === `{"n":${2 * i}}` },
  { name: "auth ok", build: (i) => ["GET", "/me", null, { authorization: `Bearer user-${i}` }], check: (r, i) => r.status === 200 && r.body === `{"userID":"user-${i}"}` },
  { name: "auth refused", build: () => ["GET", "/me", null, { authorization: "Bearer nobody" }], check: (r) => r.status === 401 },
  { name: "service call", build: (i) => ["GET", `/relay/x${i}`], check: (r, i) => r.status === 200 && r.body.includes(`"text":"X${i}"`) },
  { name: "raw", build: (i) => ["POST", "/raw/echo", `raw-${i}`, { "content-type": "application/octet-stream" }], check: (r, i) => r.status === 200 && r.body === `raw-${i}` },
];

function encodeRequest(host, [method, path, body, headers = {}]) {
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (body != null) {
    const b = Buffer.from(body);
    if (!("content-type" in headers)) head += "content-type: application/json\r\n";
    return Buffer.concat([Buffer.from(`${head}content-length: ${b.length}\r\n\r\n`), b]);
  }
  return Buffer.from(`${head}\r\n`);
}

/**
 * Parses HTTP/1.1 responses from a byte stream (content-length or chunked bodies). `push(buf)` returns the
 * responses completed so far; a malformed response throws.
 */
class ResponseParser {
  buf = Buffer.alloc(0);
  push(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out = [];
    for (;;) {
      const end = this.buf.indexOf("\r\n\r\n");
      if (end < 0) return out;
      const head = this.buf.subarray(0, end).toString("latin1").split("\r\n");
      const m = /^HTTP\/1\.1 (\d{3})/.exec(head[0]);
      if (!m) throw new Error(`not an HTTP/1.1 response: ${JSON.stringify(head[0])}`);
      const headers = {};
      for (const line of head.slice(1)) {
        const c = line.indexOf(":");
        headers[line.slice(0, c).trim().toLowerCase()] = line.slice(c + 1).trim();
      }
      let body;
      let used;
      if (headers["transfer-encoding"] === "chunked") {
        const parts = [];
        let p = end + 4;
        for (;;) {
          const lineEnd = this.buf.indexOf("\r\n", p);
          if (lineEnd < 0) return out;
          const size = parseInt(this.buf.subarray(p, lineEnd).toString("latin1"), 16);
          if (this.buf.length < lineEnd + 2 + size + 2) return out;
          parts.push(this.buf.subarray(lineEnd + 2, lineEnd + 2 + size));
          p = lineEnd + 2 + size + 2;
          if (size === 0) break;
        }
        body = Buffer.concat(parts);
        used = p;
      } else {
        const len = Number(headers["content-length"] ?? 0);
        if (this.buf.length < end + 4 + len) return out;
        body = this.buf.subarray(end + 4, end + 4 + len);
        used = end + 4 + len;
      }
      out.push({ status: Number(m[1]), headers, body: body.toString("utf8") });
      this.buf = this.buf.subarray(used);
    }
  }
}

/** Running totals of one load run. */
export class Tally {
  sent = 0;
  answered = 0;
  wrong = [];
  lost = [];
  /** Per-kind counts, and response times (ms) of the current window for percentiles. */
  byKind = new Map();
  times = [];
  /** In-flight requests: id -> { kind, at }; the watchdog reads it. */
  inflight = new Map();
  nextId = 1;

  start(kind) {
    const id = this.nextId++;
    this.sent++;
    this.inflight.set(id, { kind, at: performance.now() });
    return id;
  }

  finish(id, ok, detail) {
    const r = this.inflight.get(id);
    if (!r) {
      this.wrong.push(`response to request ${id} that was not in flight (answered twice?) ${detail ?? ""}`);
      return;
    }
    this.inflight.delete(id);
    this.answered++;
    this.times.push(performance.now() - r.at);
    const k = this.byKind.get(r.kind) ?? { sent: 0, ok: 0 };
    k.sent++;
    if (ok) k.ok++;
    else if (this.wrong.length < 20) this.wrong.push(`${r.kind}: ${detail}`);
    this.byKind.set(r.kind, k);
  }

  lose(id, why) {
    const r = this.inflight.get(id);
    if (!r) return;
    this.inflight.delete(id);
    if (this.lost.length < 20) this.lost.push(`${r.kind}: ${why}`);
    else this.lost.length++;
  }

  /** The oldest in-flight request's age in ms (0 when none). */
  oldest() {
    let oldest = 0;
    const now = performance.now();
    for (const r of this.inflight.values()) oldest = Math.max(oldest, now - r.at);
    return oldest;
  }

  /** p50/p99 of the response times since the last call, and resets them. */
  window() {
    const t = this.times.sort((a, b) => a - b);
    this.times = [];
    const q = (p) => (t.length ? t[Math.min(t.length - 1, Math.floor(p * t.length))] : 0);
    return { n: t.length, p50: q(0.5), p99: q(0.99) };
  }
}

/** One keep-alive connection sending `depth` requests at a time (depth > 1: pipelined) until `stop()` is true. */
async function httpLoop(host, port, depth, tally, stop, seed) {
  const socket = net.connect(port, host);
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  const parser = new ResponseParser();
  let waiting = []; // [{ id, kind, i, resolve }] in order
  let failed = null;
  const fail = (why) => {
    failed ??= why;
    for (const w of waiting) {
      tally.lose(w.id, why);
      w.resolve();
    }
    waiting = [];
  };
  socket.on("data", (chunk) => {
    let responses;
    try {
      responses = parser.push(chunk);
    } catch (e) {
      fail(e.message);
      socket.destroy();
      return;
    }
    for (const r of responses) {
      const w = waiting.shift();
      if (!w) {
        tally.wrong.push(`a response nobody asked for on a connection: ${r.status} ${r.body.slice(0, 80)}`);
        continue;
      }
      const ok = w.kind.check(r, w.i);
      tally.finish(w.id, ok, ok ? "" : `got ${r.status} ${r.body.slice(0, 120)}`);
      w.resolve();
    }
  });
  socket.on("error", (e) => fail(`connection error: ${e.message}`));
  socket.on("close", () => fail("connection closed with requests in flight"));
  let n = seed;
  while (!stop() && !failed) {
    const batch = [];
    const done = [];
    for (let d = 0; d < depth; d++) {
      const kind = KINDS[n % KINDS.length];
      const i = n++;
      const id = tally.start(kind.name);
      batch.push(encodeRequest(`${host}:${port}`, kind.build(i)));
      done.push(new Promise((resolve) => waiting.push({ id, kind, i, resolve })));
    }
    socket.write(Buffer.concat(batch));
    await Promise.all(done);
  }
  socket.end();
}

function wsFrames(buf) {
  const frames = [];
  let p = 0;
  for (;;) {
    if (buf.length < p + 2) break;
    const op = buf[p] & 0x0f;
    let len = buf[p + 1] & 0x7f;
    let h = 2;
    if (len === 126) {
      if (buf.length < p + 4) break;
      len = buf.readUInt16BE(p + 2);
      h = 4;
    } else if (len === 127) {
      if (buf.length < p + 10) break;
      len = Number(buf.readBigUInt64BE(p + 2));
      h = 10;
    }
    if (buf.length < p + h + len) break;
    frames.push({ op, data: buf.subarray(p + h, p + h + len) });
    p += h + len;
  }
  return { frames, rest: buf.subarray(p) };
}

/** Opens streams of `count` messages one after the other until `stop()`; each stream counts as one request. */
async function wsLoop(host, port, count, tally, stop) {
  while (!stop()) {
    const id = tally.start("stream");
    await new Promise((resolve) => {
      const socket = net.connect(port, host);
      let buf = Buffer.alloc(0);
      let upgraded = false;
      const got = [];
      let settled = false;
      const settle = (fn) => {
        if (settled) return;
        settled = true;
        fn();
        socket.destroy();
        resolve();
      };
      socket.on("connect", () =>
        socket.write(
          `GET /ws/ticks/${count} HTTP/1.1\r\nhost: ${host}:${port}\r\nupgrade: websocket\r\nconnection: Upgrade\r\n` +
            `sec-websocket-key: ${randomBytes(16).toString("base64")}\r\nsec-websocket-version: 13\r\n\r\n`,
        ),
      );
      socket.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        if (!upgraded) {
          const end = buf.indexOf("\r\n\r\n");
          if (end < 0) return;
          const status = buf.subarray(0, 12).toString("latin1");
          if (!status.startsWith("HTTP/1.1 101")) return settle(() => tally.finish(id, false, `upgrade answered ${status}`));
          upgraded = true;
          buf = buf.subarray(end + 4);
        }
        const { frames, rest } = wsFrames(buf);
        buf = rest;
        for (const f of frames) {
          if (f.op === 1) got.push(JSON.parse(f.data.toString("utf8")).i);
          if (f.op === 8) {
            const ok = got.length === count && got.every((v, k) => v === k);
            return settle(() => tally.finish(id, ok, ok ? "" : `stream got ${JSON.stringify(got)}`));
          }
        }
      });
      socket.on("error", (e) => settle(() => tally.lose(id, `stream connection error: ${e.message}`)));
      socket.on("close", () => settle(() => tally.lose(id, `stream closed after ${got.length} of ${count} messages without a close frame`)));
    });
  }
}

/** A fresh connection's GET; resolves with the time it took, or rejects when it takes longer than `withinMs`. */
export async function probe(host, port, withinMs) {
  const started = performance.now();
  const ctl = AbortSignal.timeout(withinMs);
  const r = await fetch(`http://${host}:${port}/hello/probe`, { signal: ctl, headers: { connection: "close" } });
  const body = await r.text();
  if (r.status !== 200 || body !== '{"message":"Hello probe!"}') throw new Error(`probe answered ${r.status} ${body}`);
  return performance.now() - started;
}

/**
 * Runs one round of load for `ms`: `keepAlive` connections one request at a time, `pipelined` connections
 * `depth` requests at a time, `streams` WebSocket loops. Resolves once every connection finished its last
 * request (or `stuckMs` passed with requests in flight: then they are left in `tally.inflight`).
 */
export async function round(host, port, tally, { ms, keepAlive = 40, pipelined = 12, depth = 6, streams = 4, streamCount = 5, stuckMs = 5000, onStuck } = {}) {
  let stopped = false;
  const stop = () => stopped;
  const loops = [];
  for (let c = 0; c < keepAlive; c++) loops.push(httpLoop(host, port, 1, tally, stop, c * 7919));
  for (let c = 0; c < pipelined; c++) loops.push(httpLoop(host, port, depth, tally, stop, c * 104729 + 13));
  for (let c = 0; c < streams; c++) loops.push(wsLoop(host, port, streamCount, tally, stop));
  const all = Promise.allSettled(loops);
  // The watchdog: a request older than stuckMs means the server stopped answering.
  let stuck = false;
  const watchdog = setInterval(() => {
    if (!stuck && tally.oldest() > stuckMs) {
      stuck = true;
      onStuck?.();
    }
  }, 250);
  await new Promise((resolve) => setTimeout(resolve, ms));
  stopped = true;
  const finished = await Promise.race([all.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), stuckMs + 1000))]);
  clearInterval(watchdog);
  return { finished, stuck };
}
