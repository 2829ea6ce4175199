// Shared by the `reprise build` tests: build the deploy fixture once per test file, copy a build to a fresh folder
// outside the repository (nothing of the monorepo reachable), start `node main.mjs` there and wait for its port.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "../http/helpers.mjs";

export { root };
export const cli = join(root, "cli", "bin", "reprise.mjs");
export const deployApp = join(root, "test", "build", "fixtures", "deploy-app");

export function reprise(args, opts = {}) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 120_000, ...opts });
}

/** Builds `app` into a temporary folder; returns its path. */
export function buildApp(app, extra = []) {
  const out = join(mkdtempSync(join(tmpdir(), "reprise-build-")), "out");
  const r = reprise(["build", app, "--out", out, ...extra]);
  if (r.status !== 0) throw new Error(`reprise build failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return { out, stdout: r.stdout };
}

/** A copy of a build in a fresh temporary folder, as on another machine. */
export function copyBuild(out, name) {
  const dir = join(mkdtempSync(join(tmpdir(), `reprise-deployed-${name}-`)), "app");
  cpSync(out, dir, { recursive: true });
  return dir;
}

/**
 * Starts `node <dir>/main.mjs` from the temporary folder's parent (not the repository) and resolves once it
 * listens; killed when the test ends.
 */
export async function startBuilt(t, dir, { args = [], env = {}, timeoutMs = 60_000 } = {}) {
  const proc = spawn(process.execPath, [join(dir, "main.mjs"), "--port", "0", ...args], {
    cwd: join(dir, ".."),
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout.setEncoding("utf8").on("data", (d) => (out += d));
  proc.stderr.setEncoding("utf8").on("data", (d) => (err += d));
  const exited = new Promise((resolve) => proc.once("exit", (code, signal) => resolve({ code, signal })));
  t.after(async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill("SIGKILL");
      await exited;
    }
  });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the build did not start within ${timeoutMs} ms\n${out}\n${err}`)), timeoutMs);
    proc.stdout.on("data", () => {
      const m = /listening on port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`the build exited with ${code}\n${out}\n${err}`), { code, stderr: err }));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    proc,
    exited,
    get stdout() {
      return out;
    },
    get stderr() {
      return err;
    },
  };
}
