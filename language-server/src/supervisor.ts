/**
 * The supervisor: the process the editor starts. It owns the client connection (stdio or node-ipc) and runs the
 * real server in a child process ("worker", stdio), passing messages both ways. A native crash in the worker
 * (swc dying with SIGSEGV on a file the guard did not foresee) therefore does not end the editor's session:
 *  - the worker writes the path of every file it is about to parse to a marker pipe (fd 3); the file it was
 *    parsing when it died is the killer;
 *  - a new worker starts with that file quarantined (parsed in a child process from then on, RP1007 if it
 *    crashes there too), is initialized with the client's original parameters, and gets the latest settings and
 *    every open document replayed;
 *  - client requests the dead worker had not answered get an InternalError response; its own requests to the
 *    client are forgotten (ids are rewritten, so a late answer cannot reach the wrong worker); a restarted
 *    worker's capability registrations are answered here (the client still has the first worker's).
 * Restarts are bounded (5 per minute); past that the supervisor exits with an error. `shutdown` + `exit` end the
 * worker and then the supervisor, with the worker's exit code.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type Message,
  type MessageReader,
  type MessageWriter,
  type NotificationMessage,
  type RequestMessage,
  type ResponseMessage,
} from "vscode-languageserver/node";

const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const INTERNAL_ERROR = -32603;

type Id = number | string;
const isRequest = (m: Message): m is RequestMessage => "method" in m && "id" in m && (m as RequestMessage).id !== undefined && (m as RequestMessage).id !== null;
const isNotification = (m: Message): m is NotificationMessage => "method" in m && !("id" in m && (m as RequestMessage).id !== undefined && (m as RequestMessage).id !== null);
const isResponse = (m: Message): m is ResponseMessage => !("method" in m) && "id" in m;

interface Worker {
  child: ChildProcess;
  reader: MessageReader;
  writer: MessageWriter;
  generation: number;
  /** Path of the file being parsed (between a "P path" and a "D" marker). */
  parsing: string | null;
  ready: boolean;
}

export function runSupervisor(transport: "stdio" | "ipc"): void {
  const client: { reader: MessageReader; writer: MessageWriter } =
    transport === "ipc" ? { reader: new IPCMessageReader(process), writer: new IPCMessageWriter(process) } : { reader: new StreamMessageReader(process.stdin), writer: new StreamMessageWriter(process.stdout) };

  let initialize: RequestMessage | undefined;
  let initialized = false;
  let configuration: NotificationMessage | undefined;
  let exiting = false;
  const docs = new Map<string, TextDocument>();
  /** Client requests forwarded to the current worker and not answered yet. */
  const pendingFromClient = new Map<Id, string>();
  /** Our id of a worker→client request → the worker's generation and its own id. */
  const pendingFromWorker = new Map<number, { generation: number; id: Id }>();
  let nextServerRequestId = 1;
  const quarantine = new Set<string>();
  const crashes: number[] = [];
  let worker: Worker;
  /** Client messages that arrive while a restarted worker initializes. */
  let held: Message[] = [];

  const log = (type: 1 | 2 | 3, message: string) => void client.writer.write({ jsonrpc: "2.0", method: "window/logMessage", params: { type, message } } as NotificationMessage);

  function workerArgs(): string[] {
    const args = process.argv.slice(2).filter((a) => a !== "--node-ipc" && a !== "--stdio");
    return [...process.execArgv.filter((a) => !a.startsWith("--inspect")), process.argv[1], ...args, "--stdio"];
  }

  function withQuarantine(msg: RequestMessage): RequestMessage {
    const params = { ...(msg.params as Record<string, unknown>) };
    params.initializationOptions = { ...((params.initializationOptions as Record<string, unknown>) ?? {}), quarantine: [...quarantine] };
    return { ...msg, params };
  }

  function start(generation: number): Worker {
    const child = spawn(process.execPath, workerArgs(), {
      stdio: ["pipe", "pipe", "inherit", "pipe"],
      env: { ...process.env, REPRISE_LSP_WORKER: "1", REPRISE_PARSE_MARKERS_FD: "3" },
    });
    const w: Worker = { child, reader: new StreamMessageReader(child.stdout!), writer: new StreamMessageWriter(child.stdin!), generation, parsing: null, ready: generation === 0 };
    let markers = "";
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d: Buffer) => {
      markers += d.toString("utf8");
      let nl;
      while ((nl = markers.indexOf("\n")) >= 0) {
        const line = markers.slice(0, nl);
        markers = markers.slice(nl + 1);
        if (line.startsWith("P ")) w.parsing = line.slice(2);
        else if (line === "D") w.parsing = null;
      }
    });
    child.stdin!.on("error", () => undefined);
    w.reader.listen((m) => fromWorker(w, m));
    child.on("exit", (code, signal) => exited(w, code, signal));
    return w;
  }

  function toWorker(m: Message): void {
    if (!worker.ready) {
      held.push(m);
      return;
    }
    void worker.writer.write(m).catch(() => undefined);
  }

  function fromClient(m: Message): void {
    if (isRequest(m)) {
      if (m.method === "initialize") {
        initialize = m;
        pendingFromClient.set(m.id as Id, m.method);
        void worker.writer.write(withQuarantine(m)).catch(() => undefined);
        return;
      }
      if (m.method === "shutdown") exiting = true;
      pendingFromClient.set(m.id as Id, m.method);
      toWorker(m);
      return;
    }
    if (isNotification(m)) {
      track(m);
      if (m.method === "exit") exiting = true;
      toWorker(m);
      return;
    }
    if (isResponse(m) && typeof m.id === "number") {
      const origin = pendingFromWorker.get(m.id);
      pendingFromWorker.delete(m.id);
      if (!origin || origin.generation !== worker.generation) return; // for a worker that died
      void worker.writer.write({ ...m, id: origin.id } as ResponseMessage).catch(() => undefined);
    }
  }

  /** Keeps what a new worker needs: the settings, the workspace folders, the open documents. */
  function track(m: NotificationMessage): void {
    const p = m.params as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      switch (m.method) {
        case "initialized":
          initialized = true;
          break;
        case "workspace/didChangeConfiguration":
          configuration = m;
          break;
        case "workspace/didChangeWorkspaceFolders": {
          if (!initialize) break;
          const params = initialize.params as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
          const removed = new Set((p.event?.removed ?? []).map((f: { uri: string }) => f.uri));
          params.workspaceFolders = [...(params.workspaceFolders ?? []).filter((f: { uri: string }) => !removed.has(f.uri)), ...(p.event?.added ?? [])];
          break;
        }
        case "textDocument/didOpen":
          docs.set(p.textDocument.uri, TextDocument.create(p.textDocument.uri, p.textDocument.languageId, p.textDocument.version, p.textDocument.text));
          break;
        case "textDocument/didChange": {
          const doc = docs.get(p.textDocument.uri);
          if (doc) docs.set(p.textDocument.uri, TextDocument.update(doc, p.contentChanges, p.textDocument.version));
          break;
        }
        case "textDocument/didClose":
          docs.delete(p.textDocument.uri);
          break;
      }
    } catch {
      // A malformed notification: the worker reports it; we just do not track it.
    }
  }

  function fromWorker(w: Worker, m: Message): void {
    if (w !== worker) return;
    if (isResponse(m)) {
      if (typeof m.id === "string" && m.id.startsWith("reprise-supervisor/")) {
        // The replayed initialize of a restarted worker: bring it up to date, then let the held messages through.
        if (initialized) void w.writer.write({ jsonrpc: "2.0", method: "initialized", params: {} } as NotificationMessage);
        if (configuration) void w.writer.write(configuration);
        for (const doc of docs.values()) {
          void w.writer.write({ jsonrpc: "2.0", method: "textDocument/didOpen", params: { textDocument: { uri: doc.uri, languageId: doc.languageId, version: doc.version, text: doc.getText() } } } as NotificationMessage);
        }
        w.ready = true;
        const queued = held;
        held = [];
        for (const q of queued) void w.writer.write(q).catch(() => undefined);
        return;
      }
      if (m.id !== null) pendingFromClient.delete(m.id);
      void client.writer.write(m);
      return;
    }
    if (isRequest(m)) {
      if (w.generation > 0 && m.method === "client/registerCapability") {
        // The client still holds the first worker's registrations.
        void w.writer.write({ jsonrpc: "2.0", id: m.id, result: null } as ResponseMessage);
        return;
      }
      const id = nextServerRequestId++;
      pendingFromWorker.set(id, { generation: w.generation, id: m.id as Id });
      void client.writer.write({ ...m, id } as RequestMessage);
      return;
    }
    void client.writer.write(m);
  }

  function exited(w: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    if (w !== worker) return;
    if (exiting) process.exit(code ?? (signal ? 1 : 0));
    const killer = w.parsing;
    const how = signal ?? `exit code ${code}`;
    // Requests the dead worker will never answer.
    for (const [id, method] of pendingFromClient) {
      void client.writer.write({ jsonrpc: "2.0", id, error: { code: INTERNAL_ERROR, message: `${method} failed: the Reprise language server process died (${how}) and was restarted` } } as ResponseMessage);
    }
    pendingFromClient.clear();
    const now = Date.now();
    crashes.push(now);
    while (crashes.length && crashes[0] < now - RESTART_WINDOW_MS) crashes.shift();
    if (crashes.length > MAX_RESTARTS) {
      log(1, `Reprise language server: the server process died ${crashes.length} times within a minute (last: ${how}); giving up.`);
      setTimeout(() => process.exit(1), 100);
      return;
    }
    if (killer) quarantine.add(killer);
    log(1, `Reprise language server: the server process died (${how})${killer ? ` while parsing ${killer}; that file is parsed in a separate process from now on` : ""}. Restarted.`);
    worker = start(w.generation + 1);
    if (initialize) void worker.writer.write(withQuarantine({ ...initialize, id: `reprise-supervisor/${worker.generation}` }));
    else worker.ready = true;
  }

  worker = start(0);
  client.reader.listen(fromClient);
  client.reader.onClose(() => {
    worker.child.kill();
    process.exit(exiting ? 0 : 1);
  });
  if (transport === "ipc") process.on("disconnect", () => (worker.child.kill(), process.exit(exiting ? 0 : 1)));
}
