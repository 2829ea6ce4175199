/**
 * The handle a streaming endpoint's handler gets: incoming WebSocket messages (JSON) as an async iterable and
 * `recv()`, outgoing ones through `send()`, and `close()`.
 */
import { native } from "./native.js";

export class StreamHandle implements AsyncIterable<unknown> {
  private readonly queue: unknown[] = [];
  private readonly waiters: { resolve: (v: IteratorResult<unknown>) => void }[] = [];
  private closed = false;
  onClose: (() => void) | null = null;

  constructor(private readonly id: number) {}

  /** A message from the client. Non-JSON text is delivered as the string itself. */
  deliver(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      msg = text;
    }
    const w = this.waiters.shift();
    if (w) w.resolve({ value: msg, done: false });
    else this.queue.push(msg);
  }

  closedByPeer(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
    this.onClose?.();
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.queue.length) return Promise.resolve({ value: this.queue.shift(), done: false });
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
    native().streamSend(this.id, JSON.stringify(msg));
  }

  async close(code = 1000, reason = ""): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    native().streamClose(this.id, code, reason);
    for (const w of this.waiters.splice(0)) w.resolve({ value: undefined, done: true });
  }
}
