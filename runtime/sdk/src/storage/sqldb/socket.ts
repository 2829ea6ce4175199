/**
 * Each embedded (PGlite) database served on a loopback PostgreSQL wire-protocol socket, so `db.connectionString`
 * is a real `postgresql://` URL that `pg`, ORMs, `psql` and GUI tools can use, reading and writing the same data
 * the SDK sees.
 *
 * PGlite speaks the protocol itself (`execProtocolRawStream` takes a client's raw messages, start-up included, and
 * yields the server's bytes); this module is the TCP side: it frames the client's messages, answers the SSL /
 * GSSAPI negotiation requests with "N" (no encryption on loopback), and runs messages one at a time on the single
 * PGlite connection. While one client has a transaction open, messages of other clients wait until it ends (a
 * client that disconnects inside a transaction has it rolled back). The SDK's own queries share that connection
 * and are not held off: during a socket client's transaction they run inside it.
 *
 * Limits: at most MAX_CONNECTIONS clients at once (each is a cheap socket, not a backend); one more is answered
 * with PostgreSQL's `53300 too_many_connections` error and closed. Cancel requests are ignored.
 *
 * Ports are bound before the app's modules load (`reprise run`), so `connectionString` is known when an app
 * hands it to an ORM at module level; PGlite itself opens on the first connection (or at start-up).
 */
import net from "node:net";
import { state } from "../../config/registry.js";

/** Clients one embedded database accepts at once. */
export const MAX_CONNECTIONS = 32;

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

export interface PGliteProtocol {
  execProtocolRawStream(message: Uint8Array, opts: { onRawData: (chunk: Uint8Array) => void }): Promise<void>;
  runExclusive<T>(fn: () => Promise<T>): Promise<T>;
  isInTransaction(): boolean;
  exec(q: string): Promise<unknown>;
}

interface Job {
  client: number;
  message: Uint8Array;
  write: (chunk: Uint8Array) => void;
  done: (e?: unknown) => void;
}

/** Runs the clients' messages on the one PGlite connection, keeping a transaction's messages together. */
class MessageQueue {
  private readonly jobs: Job[] = [];
  private running = false;
  /** The client whose transaction is open, if any. */
  private owner: number | null = null;

  constructor(private readonly db: () => Promise<PGliteProtocol>) {}

  push(job: Job): void {
    this.jobs.push(job);
    void this.run();
  }

  /** A client went away: drop its waiting messages, roll back its open transaction. */
  async forget(client: number): Promise<void> {
    for (let i = this.jobs.length - 1; i >= 0; i--) if (this.jobs[i]!.client === client) this.jobs.splice(i, 1);
    if (this.owner === client) {
      const db = await this.db();
      // exec takes PGlite's query lock itself (runExclusive around it would wait on itself).
      if (db.isInTransaction()) await db.exec("ROLLBACK").catch(() => {});
      this.owner = null;
      void this.run();
    }
  }

  private async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const db = await this.db();
      for (;;) {
        const i = this.owner === null ? 0 : this.jobs.findIndex((j) => j.client === this.owner);
        if (i < 0 || this.jobs.length === 0) break;
        const job = this.jobs.splice(i, 1)[0]!;
        try {
          await db.runExclusive(() => db.execProtocolRawStream(job.message, { onRawData: job.write }));
          job.done();
        } catch (e) {
          job.done(e);
        }
        this.owner = db.isInTransaction() ? job.client : null;
      }
    } catch (e) {
      for (const j of this.jobs.splice(0)) j.done(e);
    } finally {
      this.running = false;
    }
  }
}

/** A PostgreSQL ErrorResponse (severity FATAL) with an SQLSTATE and a message. */
function fatal(code: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from("SFATAL\0VFATAL\0"),
    Buffer.from(`C${code}\0`),
    Buffer.from(`M${message}\0`),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write("E", 0);
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

export interface DatabaseSocket {
  port: number;
  close(): Promise<void>;
}

let nextClient = 1;

/** Binds a loopback socket for one embedded database; `open` gives its PGlite instance (opened on first use). */
export async function serveDatabaseSocket(name: string, open: () => Promise<PGliteProtocol>, host = "127.0.0.1"): Promise<DatabaseSocket> {
  let opened: Promise<PGliteProtocol> | null = null;
  const db = () => (opened ??= open().catch((e) => ((opened = null), Promise.reject(e))));
  const queue = new MessageQueue(db);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    if (sockets.size >= MAX_CONNECTIONS) {
      sock.end(fatal("53300", `sorry, too many clients already (the embedded database "${name}" serves ${MAX_CONNECTIONS} at once)`));
      return;
    }
    sockets.add(sock);
    sock.setNoDelay(true);
    const client = nextClient++;
    let buf = Buffer.alloc(0);
    let started = false;
    const write = (chunk: Uint8Array) => {
      if (chunk.length && sock.writable) sock.write(chunk);
    };
    const closeWith = (e: unknown) => {
      sock.end(fatal("XX000", `embedded database "${name}": ${(e as Error)?.message ?? String(e)}`));
    };
    sock.on("data", (data) => {
      buf = buf.length ? Buffer.concat([buf, data]) : data;
      for (;;) {
        if (!started) {
          if (buf.length < 8) break;
          const len = buf.readInt32BE(0);
          const code = buf.readInt32BE(4);
          if (len === 8 && (code === SSL_REQUEST || code === GSSENC_REQUEST)) {
            buf = buf.subarray(8);
            sock.write("N");
            continue;
          }
          if (len === 16 && code === CANCEL_REQUEST) {
            sock.end();
            return;
          }
          if (code !== PROTOCOL_3 || len < 8 || len > 10_000) {
            sock.end(fatal("08P01", "unsupported start-up message (protocol 3.0 only)"));
            return;
          }
          if (buf.length < len) break;
          started = true;
          const message = new Uint8Array(buf.subarray(0, len));
          buf = buf.subarray(len);
          queue.push({ client, message, write, done: (e) => (e ? closeWith(e) : undefined) });
          continue;
        }
        if (buf.length < 5) break;
        const len = 1 + buf.readInt32BE(1);
        if (buf.length < len) break;
        const message = new Uint8Array(buf.subarray(0, len));
        buf = buf.subarray(len);
        if (message[0] === 0x58) {
          // Terminate: the client is leaving.
          sock.end();
          return;
        }
        queue.push({ client, message, write, done: (e) => (e ? closeWith(e) : undefined) });
      }
    });
    const gone = () => {
      if (!sockets.delete(sock)) return;
      void queue.forget(client);
    };
    sock.on("close", gone);
    sock.on("error", gone);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, host, () => resolve());
  });
  server.unref();
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

interface SocketState {
  dbSockets?: Map<string, DatabaseSocket>;
  /** Resolves once the app's infrastructure took over (databases opened and migrated); clients wait for it. */
  dbSocketGate?: { promise: Promise<void>; open: () => void };
}

function socketState(): SocketState {
  return state() as unknown as SocketState;
}

/** Lets socket clients in: called when start-up (or a reload's take-over) has opened and migrated the databases. */
export function openDatabaseSockets(): void {
  socketState().dbSocketGate?.open();
}

/**
 * Binds one socket per embedded database before the app's modules load, so `connectionString` is a real URL when
 * they read it; clients are let in once start-up has opened and migrated the databases.
 */
export async function reserveDatabaseSockets(names: string[], open: (name: string) => Promise<PGliteProtocol>): Promise<void> {
  const s = socketState();
  s.dbSockets ??= new Map();
  if (!s.dbSocketGate) {
    let release!: () => void;
    const promise = new Promise<void>((r) => (release = r));
    s.dbSocketGate = { promise, open: release };
  }
  const gate = s.dbSocketGate.promise;
  for (const name of names) {
    if (s.dbSockets.has(name)) continue;
    s.dbSockets.set(name, await serveDatabaseSocket(name, async () => (await gate, open(name))));
  }
}

/** Closes every database socket of this thread (infrastructure shutdown). */
export async function closeDatabaseSockets(): Promise<void> {
  const s = socketState();
  const all = [...(s.dbSockets?.values() ?? [])];
  s.dbSockets?.clear();
  s.dbSocketGate = undefined;
  await Promise.all(all.map((x) => x.close()));
}

/** The `postgresql://` URL of an embedded database's socket, when `reprise run` serves one. */
export function socketUrl(name: string): string | null {
  const port = socketState().dbSockets?.get(name)?.port;
  return port ? `postgresql://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}?sslmode=disable` : null;
}
