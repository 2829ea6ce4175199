// Starts a real `reprise run` of a fixture app on a free port and gives tests its URL; every process started here
// is killed when the test ends. Waits by watching output with a deadline, never by sleeping.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const fixture = (name) => join(root, "test", "http", "fixtures", name);
const cli = join(root, "cli", "bin", "reprise.mjs");

/** A TCP port free on 127.0.0.1 right now (for a server a test starts itself; `reprise run` takes --port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startApp(t, appDir, { env = {}, args = [], timeoutMs = 60_000, cwd = undefined } = {}) {
  const proc = spawn(process.execPath, [cli, "run", appDir, "--port", "0", ...args], {
    cwd,
    env: { ...process.env, REPRISE_LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout.setEncoding("utf8").on("data", (d) => (out += d));
  proc.stderr.setEncoding("utf8").on("data", (d) => (err += d));
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  let instanceFile = null;
  // Waits for the exit, so a hook registered after this one (removing the app's folder) never races the process.
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await exited;
    }
    // A killed run leaves its instance file (readers skip it, the next run removes it); tidy up ours now.
    try {
      if (instanceFile && JSON.parse(readFileSync(instanceFile, "utf8")).pid === proc.pid) rmSync(instanceFile, { force: true });
    } catch {
      // gone already (a clean exit removes it)
    }
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reprise run did not start within ${timeoutMs} ms\n${out}\n${err}`)), timeoutMs);
    const check = () => {
      const m = /running at (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout.on("data", check);
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`reprise run exited with ${code}\n${out}\n${err}`));
    });
  });
  const port = Number(new URL(url).port);
  const instance = readInstance(appDir, port);
  instanceFile = join(appRootOf(appDir), ".reprise", "instances", `${port}.json`);
  const toolHeaders = { authorization: `Bearer ${instance.token}` };
  return {
    url,
    proc,
    exited,
    /** The run's instance file (`.reprise/instances/<port>.json`): port, pid, token, url. */
    instance,
    /** `Authorization: Bearer <this run's token>`, which every tool route (`/__reprise/*` but healthz) needs. */
    toolHeaders,
    /** fetch() of a tool route (`/__reprise/...`) with the token. */
    tool: (path, init = {}) => fetch(url + path, { ...init, headers: { ...toolHeaders, ...(init.headers ?? {}) } }),
    get stdout() {
      return out;
    },
    get stderr() {
      return err;
    },
  };
}

/** The app root `reprise run` finds from `dir` (the nearest folder with reprise.app or encore.app). */
export function appRootOf(dir) {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, "reprise.app")) || existsSync(join(d, "encore.app"))) return d;
    if (dirname(d) === d) throw new Error(`no app root at or above ${dir}`);
  }
}

/** The instance file `reprise run` wrote for the app in `appDir` listening on `port`. */
export function readInstance(appDir, port) {
  return JSON.parse(readFileSync(join(appRootOf(appDir), ".reprise", "instances", `${port}.json`), "utf8"));
}

export async function json(res) {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Sends raw bytes over TCP and resolves with everything the server answers before it closes or `idleMs` passes. */
export function rawRequest(url, bytes, { idleMs = 2000 } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = net.connect(Number(port), hostname);
    const chunks = [];
    let timer = setTimeout(() => sock.destroy(), idleMs);
    sock.on("data", (d) => {
      chunks.push(d);
      clearTimeout(timer);
      timer = setTimeout(() => sock.destroy(), 200);
    });
    sock.on("error", () => {});
    sock.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    sock.on("connect", () => sock.write(bytes));
    sock.setTimeout(idleMs * 3, () => reject(new Error("raw request timed out")));
  });
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function until(fn, { timeoutMs = 10_000, intervalMs = 25, what = "condition" } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
