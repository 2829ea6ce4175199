// A small LSP client for the tests: spawns the built server (`node language-server/dist/src/server.js --stdio`),
// speaks JSON-RPC over its stdio and lets a test await notifications with a deadline (never a sleep).
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from "vscode-languageserver-protocol/node";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = join(here, "..", "..");
/** The server under test; REPRISE_LSP_SERVER can point at another build (e.g. the extension's bundle). */
export const SERVER = process.env.REPRISE_LSP_SERVER ?? join(repoRoot, "language-server", "dist", "src", "server.js");
export const fixtures = join(here, "fixtures");

export const uriOf = (path) => pathToFileURL(path).href;

/** RSS in MB of a process and its child processes (the server runs under a supervisor). */
export function treeRssMb(pid) {
  let total = 0;
  const visit = (p) => {
    try {
      total += Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0) / 1024;
      for (const c of readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(c));
    } catch {
      // The process went away.
    }
  };
  visit(pid);
  return total;
}

/** Copies a fixture app into a fresh temp folder (for tests that change files on disk). */
export function copyFixture(name) {
  const dir = mkdtempSync(join(tmpdir(), `reprise-lsp-${name}-`));
  cpSync(join(fixtures, name), dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Position of the `nth` occurrence of `needle` in `text` (plus `offset` characters), as an LSP position. */
export function positionOf(text, needle, offset = 0, nth = 0) {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`'${needle}' not found`);
  }
  const before = text.slice(0, at + offset);
  const line = before.split("\n").length - 1;
  return { line, character: before.length - before.lastIndexOf("\n") - 1 };
}

export function rangeOf(text, needle, nth = 0) {
  return { start: positionOf(text, needle, 0, nth), end: positionOf(text, needle, needle.length, nth) };
}

export async function startClient({ rootDir, capabilities = {}, initializationOptions = {}, settings = {}, workspaceFolders, args = [SERVER, "--stdio"], env, clientInfo } = {}) {
  // The analysis cache is off unless a test turns it on (REPRISE_CACHE in `env`): a result cached by an earlier run
  // on the same folder would publish diagnostics twice (cached, then analysed), which most tests do not expect.
  const child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, REPRISE_CACHE: "0", ...(env ?? {}) } });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const conn = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));

  const diagnostics = new Map();
  const notifications = [];
  const logs = [];
  const listeners = new Set();
  const emit = () => {
    for (const l of [...listeners]) l();
  };
  conn.onNotification((method, params) => {
    notifications.push({ method, params });
    if (method === "textDocument/publishDiagnostics") diagnostics.set(params.uri, params);
    if (method === "window/logMessage") logs.push(params.message);
    emit();
  });
  const client = {
    conn,
    child,
    diagnostics,
    notifications,
    logs,
    settings,
    configurationRequests: 0,
    registrations: [],
    get stderr() {
      return stderr;
    },
    exited,
    /** Resolves with predicate()'s first truthy value, re-checked on every message from the server; rejects at the deadline. */
    waitFor(predicate, what = "condition", timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          let v;
          try {
            v = predicate();
          } catch (err) {
            done();
            reject(err);
            return;
          }
          if (v) {
            done();
            resolve(v);
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${what}; server stderr: ${stderr.slice(-2000)}; logs: ${logs.slice(-5).join(" | ")}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        listeners.add(check);
        check();
      });
    },
    /** Waits until the latest diagnostics for `uri` satisfy `predicate` (published after `since`, a notification count). */
    waitForDiagnostics(uri, predicate = () => true, since = 0, timeoutMs) {
      return client.waitFor(() => {
        for (let i = notifications.length - 1; i >= since; i--) {
          const n = notifications[i];
          if (n.method === "textDocument/publishDiagnostics" && n.params.uri === uri) return predicate(n.params.diagnostics, n.params) ? n.params : undefined;
        }
        return undefined;
      }, `diagnostics for ${uri}`, timeoutMs);
    },
    mark() {
      return notifications.length;
    },
    request(method, params) {
      return conn.sendRequest(method, params);
    },
    notify(method, params) {
      return conn.sendNotification(method, params);
    },
    open(path, text, version = 1) {
      return conn.sendNotification("textDocument/didOpen", { textDocument: { uri: uriOf(path), languageId: "typescript", version, text } });
    },
    async shutdown() {
      await conn.sendRequest("shutdown");
      await conn.sendNotification("exit");
      const result = await exited;
      conn.dispose();
      return result;
    },
    kill() {
      if (child.exitCode === null) child.kill("SIGKILL");
      conn.dispose();
    },
  };
  conn.onRequest("workspace/configuration", (params) => {
    client.configurationRequests++;
    queueMicrotask(emit);
    return params.items.map(() => client.settings);
  });
  conn.onRequest("client/registerCapability", (params) => {
    client.registrations.push(...params.registrations);
    queueMicrotask(emit);
    return null;
  });
  conn.onRequest("workspace/codeLens/refresh", () => {
    notifications.push({ method: "workspace/codeLens/refresh", params: null });
    emit();
    return null;
  });
  conn.listen();
  const folders = workspaceFolders ?? (rootDir ? [rootDir] : []);
  const init = await conn.sendRequest("initialize", {
    processId: process.pid,
    rootUri: folders[0] ? uriOf(folders[0]) : null,
    workspaceFolders: folders.map((f, i) => ({ uri: uriOf(f), name: `folder${i}` })),
    initializationOptions,
    ...(clientInfo ? { clientInfo } : {}),
    capabilities: {
      workspace: {
        configuration: true,
        didChangeWatchedFiles: { dynamicRegistration: true },
        didChangeConfiguration: { dynamicRegistration: true },
        codeLens: { refreshSupport: true },
        workspaceFolders: true,
      },
      textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } },
      ...capabilities,
    },
  });
  client.initializeResult = init;
  await conn.sendNotification("initialized", {});
  return client;
}
