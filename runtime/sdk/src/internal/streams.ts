/**
 * The handle a streaming endpoint's handler gets: incoming WebSocket messages (JSON) as an async iterable and
 * `recv()`, outgoing ones through `send()`, and `close()`.
 *
 * Backpressure (runtime/src/outq.rs): `send()` queues the message in Rust at once; its promise resolves right away
 * while the stream's outbound queue holds at most HIGH_WATER (256 KiB), and otherwise only once Rust has sent the
 * queue down to half of that (or rejects if the peer closes first). A handler that awaits each `send()` holds at
 * most about the mark in memory however slowly the client reads.
 *
 * Inbound, Rust hands JS at most STREAM_WINDOW (32) messages the handler has not consumed; each one consumed
 * (iterated, `recv()`ed) gives a credit back, and past the window Rust stops reading the socket.
 */
import { native } from "./native.js";

export class StreamHandle implements AsyncIterable<unknown> {
  private readonly queue: unknown[] = [];
  private readonly waiters: { resolve: (v: IteratorResult<unknown>) => void }[] = [];
  private closed = false;
  private drains: { resolve: () => void; reject: (e: Error) => void }[] = [];
  onClose: (() => void) | null = null;

  /**
   * `ackOnArrival`: give Rust its read credit back as soon as a message arrives (streamOut handlers never read, so
   * client messages must not stall the socket); otherwise a credit goes back as the handler consumes a message.
   */
  constructor(
    private readonly id: number,
    private readonly ackOnArrival = false,
  ) {}

  /** A message from the client. Non-JSON text is delivered as the string itself. */
  deliver(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = text;
    }
    const w = this.waiters.shift();
    if (w || this.ackOnArrival) native().rawAck(this.id, 1);
    if (w) w.resolve({ value: msg, done: false });
    else this.queue.push(msg);
  }

  /** Rust sent a full outbound queue down below its low mark. */
  drained(): void {
    for (const d of this.drains.splice(0)) d.resolve();
  }

  closedByPeer(): void {
    this.closed = true;
    for (const d of this.drains.splice(0)) d.reject(new Error("the stream is closed"));
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
    this.onClose?.();
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.queue.length) {
      if (!this.ackOnArrival) native().rawAck(this.id, 1);
      return Promise.resolve({ value: this.queue.shift(), done: false });
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.waiters.push({ resolve }));
  }

  async recv(): Promise<unknown> {
    const r = await this.next();
    if (r.done) throw new Error("the stream is closed");
    return r.value;
  }

  [Symbol.asyncIterator](): AsyncIterator<unknown> {
    return { next: () => this.next() };
  }

  async send(msg: unknown): Promise<void> {
    if (this.closed) throw new Error("the stream is closed");
    const r = native().streamSend(this.id, JSON.stringify(msg));
    if (r === 0) throw new Error("the stream is closed");
    if (r === 2) await new Promise<void>((resolve, reject) => this.drains.push({ resolve, reject }));
  }

  async close(code = 1000, reason = ""): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    native().streamClose(this.id, code, reason);
    for (const d of this.drains.splice(0)) d.resolve();
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }
}
