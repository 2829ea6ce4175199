/**
 * The Node-style request/response pair `api.raw` handlers get. `RawRequest` is a Readable fed by body chunks
 * from Rust as they arrive; `RawResponse` is a Writable whose first write (or end/writeHead/flushHeaders) sends
 * the head, after which chunks stream to the client. They implement the commonly used subset of
 * `http.IncomingMessage` / `http.ServerResponse` (headers, statusCode, setHeader/getHeader/removeHeader,
 * writeHead, write, end, pipe), not the sockets underneath.
 *
 * Backpressure (runtime/src/outq.rs): Rust queues at most HIGH_WATER (256 KiB) of a response's body; a write that
 * leaves more queued holds back its callback until Rust has sent the queue down to half of that, so `write()`
 * returns false (Node's Writable rules, on top of its own 16 KiB buffer) and `'drain'` fires once the client has
 * taken the bytes. A handler that keeps writing after `false` buffers in JS, as with `node:http`.
 */
import { Readable, Writable } from "node:stream";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { native } from "./native.js";

export class RawRequest extends Readable {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders = {};
  readonly rawHeaders: string[];
  readonly httpVersion = "1.1";
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  readonly socket = { remoteAddress: "127.0.0.1", encrypted: false };

  constructor(method: string, url: string, flat: string[]) {
    super();
    this.method = method;
    this.url = url;
    this.rawHeaders = flat;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const k = flat[i].toLowerCase();
      const prev = this.headers[k];
      if (prev === undefined) this.headers[k] = k === "set-cookie" ? [flat[i + 1]] : flat[i + 1];
      else if (Array.isArray(prev)) prev.push(flat[i + 1]);
      else this.headers[k] = `${prev}, ${flat[i + 1]}`;
    }
  }

  /** Chunks taken while the stream's buffer was full: credited back to Rust once the consumer reads again. */
  private owed = 0;
  /** Set by the host; without it (tests, adapters) no credit is returned. */
  id = 0;

  /** A body chunk from Rust; each one is credited back when the stream has room, which bounds what is queued. */
  deliver(chunk: Buffer): void {
    if (this.push(chunk)) {
      if (this.id) native().rawAck(this.id, 1);
    } else this.owed++;
  }

  override _read(): void {
    if (this.owed && this.id) {
      native().rawAck(this.id, this.owed);
      this.owed = 0;
    }
  }
}

export class RawResponse extends Writable {
  statusCode = 200;
  statusMessage = "";
  headersSent = false;
  private readonly hdrs = new Map<string, [string, string | number | string[]]>();

  constructor(
    private readonly id: number,
    private readonly onDone: () => void,
  ) {
    super();
    this.once("close", () => this.onDone());
  }

  setHeader(name: string, value: string | number | readonly string[]): this {
    this.hdrs.set(name.toLowerCase(), [name, Array.isArray(value) ? [...value] : (value as string | number)]);
    return this;
  }
  getHeader(name: string): string | number | string[] | undefined {
    return this.hdrs.get(name.toLowerCase())?.[1];
  }
  getHeaders(): OutgoingHttpHeaders {
    const out: OutgoingHttpHeaders = {};
    for (const [k, [, v]] of this.hdrs) out[k] = v;
    return out;
  }
  getHeaderNames(): string[] {
    return [...this.hdrs.keys()];
  }
  hasHeader(name: string): boolean {
    return this.hdrs.has(name.toLowerCase());
  }
  removeHeader(name: string): void {
    this.hdrs.delete(name.toLowerCase());
  }

  writeHead(status: number, reasonOrHeaders?: string | OutgoingHttpHeaders | string[], headers?: OutgoingHttpHeaders | string[]): this {
    this.statusCode = status;
    const h = typeof reasonOrHeaders === "string" ? headers : reasonOrHeaders;
    if (typeof reasonOrHeaders === "string") this.statusMessage = reasonOrHeaders;
    if (Array.isArray(h)) for (let i = 0; i + 1 < h.length; i += 2) this.setHeader(h[i], h[i + 1]);
    else if (h) for (const [k, v] of Object.entries(h)) if (v !== undefined) this.setHeader(k, v as string);
    this.sendHead();
    return this;
  }

  flushHeaders(): void {
    this.sendHead();
  }

  private sendHead(): void {
    if (this.headersSent) return;
    this.headersSent = true;
    const flat: string[] = [];
    for (const [, [name, v]] of this.hdrs) {
      if (Array.isArray(v)) for (const x of v) flat.push(name, x);
      else flat.push(name, String(v));
    }
    native().rawHead(this.id, this.statusCode, flat);
  }

  /** The callback of the write that found Rust's queue full; called when Rust reports it drained. */
  private held: ((e?: Error | null) => void) | null = null;

  override _write(chunk: unknown, encoding: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.sendHead();
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, encoding);
    // 2: queued, but Rust's queue is over its mark — the next write waits for `drained()`.
    if (buf.length && native().rawWrite(this.id, buf) === 2) this.held = cb;
    else cb();
  }

  /** Rust sent the queue down below its low mark. */
  drained(): void {
    const cb = this.held;
    this.held = null;
    cb?.();
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    // A write held for a drain that will not come (client gone) is released so the stream can finish closing.
    const held = this.held;
    this.held = null;
    held?.(err ?? new Error("the response was closed"));
    cb(err);
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.sendHead();
    native().rawEnd(this.id);
    cb();
  }
}
