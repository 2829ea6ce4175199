// `reprise lsp` (the CLI entry) starts the same server: stdio by default, and bad flags are a usage error.
// `--socket=<port>` connects out to the editor listening on 127.0.0.1:<port>; the server itself listens on nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import net from "node:net";
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { fixtures, repoRoot, startClient, uriOf } from "./client.mjs";

const bin = join(repoRoot, "cli", "bin", "reprise.mjs");

test("reprise lsp serves diagnostics over stdio and exits cleanly", async () => {
  const root = join(fixtures, "basic");
  const client = await startClient({ rootDir: root, args: [bin, "lsp"] });
  try {
    assert.equal(client.initializeResult.serverInfo.name, "reprise-language-server");
    const d = await client.waitForDiagnostics(uriOf(join(root, "users/admin.ts")), (x) => x.length === 1);
    assert.equal(d.diagnostics[0].code, "RP2001");
    // Each diagnostic links to its code's docs page: a file:// URI of docs/diagnostics/RP2001.md that exists.
    const href = d.diagnostics[0].codeDescription?.href;
    assert.equal(href, uriOf(join(repoRoot, "docs", "diagnostics", "RP2001.md")));
    assert.ok(existsSync(fileURLToPath(href)));
    assert.match(readFileSync(fileURLToPath(href), "utf8"), /^# RP2001: /);
    assert.deepEqual(await client.shutdown(), { code: 0, signal: null });
  } finally {
    client.kill();
  }
});

test("reprise lsp rejects unknown options with exit code 2", () => {
  const r = spawnSync(process.execPath, [bin, "lsp", "--tcp"], { encoding: "utf8" });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown option '--tcp'/);
});

test("reprise lsp --socket=<port> connects out to 127.0.0.1:<port> (it listens on nothing)", async (t) => {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => server.close());
  const connected = new Promise((resolve) => server.once("connection", resolve));
  const child = spawn(process.execPath, [bin, "lsp", `--socket=${server.address().port}`], { stdio: ["ignore", "ignore", "pipe"] });
  t.after(() => child.kill("SIGKILL"));
  const socket = await connected;
  assert.equal(socket.remoteAddress, "127.0.0.1");
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { processId: null, rootUri: null, capabilities: {} } });
  socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  let got = "";
  const reply = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no initialize result: ${got}`)), 30_000);
    socket.setEncoding("utf8").on("data", (d) => {
      got += d;
      const at = got.indexOf("\r\n\r\n");
      const len = Number(/Content-Length: (\d+)/.exec(got)?.[1]);
      if (at >= 0 && Buffer.byteLength(got.slice(at + 4)) >= len) {
        clearTimeout(timer);
        resolve(JSON.parse(got.slice(at + 4)));
      }
    });
  });
  assert.equal(reply.id, 1);
  assert.equal(reply.result.serverInfo.name, "reprise-language-server");
  if (process.platform === "linux") assert.deepEqual(listeningPorts(child.pid), [], "the server process has no listening socket");
  socket.destroy();
});

/** Linux: the TCP ports process `pid` listens on (its socket fds matched against /proc/net/tcp{,6} in LISTEN). */
function listeningPorts(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === "0A" && inodes.has(f[9])) ports.push(parseInt(f[1].split(":").pop(), 16));
    }
  }
  return ports;
}
