// A minimal Chrome DevTools Protocol client for tests: one WebSocket (RFC 6455 text frames, client-masked) to a
// Node inspector target, `send(method, params)` resolving with the result, `waitFor(method, pred)` resolving with
// the params of the first matching event (seen before or after the call, bounded by a deadline), and `worker(id)`
// for a worker thread's session attached through the NodeWorker domain (the way VS Code's js-debug reaches them).
import http from "node:http";
import { randomBytes } from "node:crypto";

/** The WebSocket URL of the first target of an inspector listening on host:port. */
export async function inspectorTarget(host, port) {
  const list = await (await fetch(`http://${host}:${port}/json/list`)).json();
  if (!list.length) throw new Error("the inspector lists no target");
  return list[0].webSocketDebuggerUrl;
}

function encodeFrame(text) {
  const payload = Buffer.from(text, "utf8");
  const mask = randomBytes(4);
  let header;
  if (payload.length < 126) header = Buffer.from([0x81, 0x80 | payload.length]);
  else if (payload.length < 65536) {
    header = Buffer.alloc(4);
    header[0] = 0x81;
    header[1] = 0x80 | 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header = Buffer.alloc(10);
    header[0] = 0x81;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3];
  return Buffer.concat([header, mask, payload]);
}

export async function connectCdp(wsUrl) {
  const u = new URL(wsUrl);
  const socket = await new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      headers: { Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": randomBytes(16).toString("base64") },
    });
    req.on("upgrade", (_res, sock, head) => {
      if (head.length) sock.unshift(head);
      resolve(sock);
    });
    req.on("response", (res) => reject(new Error(`no WebSocket upgrade: HTTP ${res.statusCode}`)));
    req.on("error", reject);
    req.end();
  });
  let buf = Buffer.alloc(0);
  let partial = [];
  const main = channel((text) => socket.write(encodeFrame(text)));
  const workers = new Map();
  const onMessage = (text) => {
    const m = JSON.parse(text);
    // Messages of a worker's session arrive wrapped in NodeWorker.receivedMessageFromWorker.
    if (m.method === "NodeWorker.receivedMessageFromWorker") workers.get(m.params.sessionId)?.receive(m.params.message);
    main.receive(text);
  };
  socket.on("data", (d) => {
    buf = Buffer.concat([buf, d]);
    for (;;) {
      if (buf.length < 2) return;
      const fin = (buf[0] & 0x80) !== 0;
      const op = buf[0] & 0x0f;
      let len = buf[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        off = 10;
      }
      if (buf.length < off + len) return;
      const payload = buf.subarray(off, off + len);
      buf = buf.subarray(off + len);
      if (op === 0x8) return void socket.end();
      if (op === 0x1 || op === 0x0) {
        partial.push(payload);
        if (fin) {
          const text = Buffer.concat(partial).toString("utf8");
          partial = [];
          onMessage(text);
        }
      }
    }
  });
  socket.on("error", () => {});
  return {
    ...main.api,
    /** The CDP session of a worker thread attached through NodeWorker (`NodeWorker.attachedToWorker`). */
    worker(sessionId) {
      let w = workers.get(sessionId);
      if (!w) {
        w = channel((text) => void main.api.send("NodeWorker.sendMessageToWorker", { sessionId, message: text }));
        workers.set(sessionId, w);
      }
      return w.api;
    },
    close() {
      socket.destroy();
    },
  };
}

/** One CDP message stream: `send` with ids and replies, events kept for `waitFor`. */
function channel(write) {
  const events = [];
  const waiters = [];
  const pending = new Map();
  let nextId = 1;
  const match = (method, pred) => (m) => m.method === method && (!pred || pred(m.params ?? {}));
  return {
    receive(text) {
      const m = JSON.parse(text);
      if (m.id !== undefined) {
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        if (m.error) p.reject(new Error(`${p.method}: ${m.error.message}`));
        else p.resolve(m.result);
        return;
      }
      events.push(m);
      for (const w of [...waiters]) if (w.match(m)) w.resolve(m.params ?? {});
    },
    api: {
      events,
      send(method, params = {}) {
        const id = nextId++;
        const done = new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
        write(JSON.stringify({ id, method, params }));
        return done;
      },
      waitFor(method, pred, timeoutMs = 30_000) {
        const m = match(method, pred);
        const seen = events.find(m);
        if (seen) return Promise.resolve(seen.params ?? {});
        return new Promise((resolve, reject) => {
          const w = {
            match: m,
            resolve: (v) => {
              clearTimeout(timer);
              waiters.splice(waiters.indexOf(w), 1);
              resolve(v);
            },
          };
          const timer = setTimeout(() => {
            waiters.splice(waiters.indexOf(w), 1);
            reject(new Error(`timed out waiting for ${method}`));
          }, timeoutMs);
          waiters.push(w);
        });
      },
    },
  };
}
