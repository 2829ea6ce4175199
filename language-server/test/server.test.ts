/**
 * RepriseServer in-process, with a recording host instead of a connection: a request flushes the edits queued
 * before it (no stale answers), a burst of edits is analysed once, and reprise/appModel carries the newest
 * generation only.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { PublishDiagnosticsParams } from "vscode-languageserver/node";
import { RepriseServer, type ServerHost } from "../src/language-server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "test", "lsp", "fixtures", "basic");
const usersFile = join(root, "users", "users.ts");
const usersUri = pathToFileURL(usersFile).href;

function recordingHost() {
  const published: PublishDiagnosticsParams[] = [];
  const notifications: { method: string; params: any }[] = [];
  const logs: string[] = [];
  const host: ServerHost = {
    publishDiagnostics: (p) => void published.push(p),
    sendNotification: (method, params) => void notifications.push({ method, params }),
    log: (_level, message) => void logs.push(message),
  };
  return { host, published, notifications, logs };
}

test("a request answers from the edits queued before it, without waiting for the debounce", async () => {
  const rec = recordingHost();
  const server = new RepriseServer(rec.host, { workspaceFolders: [root], debounceMs: 50 });
  try {
    await server.start();
    const text = readFileSync(usersFile, "utf8");
    server.didOpen(usersUri, "typescript", 1, text);
    server.didChange(usersUri, 2, [{ text: text.replace('path: "/users/:id"', 'path: "/people/:id"') }]);
    const symbols = await server.workspaceSymbols("people");
    assert.deepEqual(symbols.map((s) => s.name), ["GET /people/:id"]);
  } finally {
    server.dispose();
  }
});

test("a burst of edits is analysed once and the model notification carries the last generation", async () => {
  const rec = recordingHost();
  const server = new RepriseServer(rec.host, { workspaceFolders: [root], debounceMs: 20, appModelNotifications: true, appModelDelayMs: 10 });
  try {
    await server.start();
    const text = readFileSync(usersFile, "utf8");
    server.didOpen(usersUri, "typescript", 1, text);
    await server.graph();
    const before = rec.published.length;
    for (let v = 2; v <= 50; v++) server.didChange(usersUri, v, [{ text: text + `\n// ${v}\n` }]);
    const deadline = Date.now() + 5000;
    while (!rec.notifications.some((n) => n.params.model.app.services.length && rec.published.some((p) => p.version === 50)) && Date.now() < deadline) {
      await new Promise((r) => setImmediate(r));
    }
    const forDoc = rec.published.slice(before).filter((p) => p.uri === usersUri);
    assert.deepEqual(forDoc.map((p) => p.version), [50]);
    const [entry] = await server.graph();
    const last = rec.notifications.at(-1)!;
    assert.equal(last.params.generation, entry.generation);
    const generations = rec.notifications.map((n) => n.params.generation);
    assert.deepEqual(generations, [...generations].sort((a, b) => a - b), "generations only grow");
  } finally {
    server.dispose();
  }
});
