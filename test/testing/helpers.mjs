// Shared by the `reprise test` suites: a scratch copy of the fixture app and a run of the CLI in it.
import { spawn } from "node:child_process";
import { stripVTControlCharacters } from "node:util";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "../http/helpers.mjs";

const cli = join(root, "cli", "bin", "reprise.mjs");

export function copyFixture(t) {
  const dir = mkdtempSync(join(tmpdir(), "reprise-test-app-"));
  cpSync(join(root, "test", "testing", "fixtures", "orders-app"), dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function reprise(t, cwd, args, timeoutMs = 150_000, env = {}) {
  const proc = spawn(process.execPath, [cli, "test", ...args], { cwd, env: { ...process.env, NODE_TEST_CONTEXT: undefined, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  proc.stdout.setEncoding("utf8").on("data", (d) => (out += d));
  proc.stderr.setEncoding("utf8").on("data", (d) => (out += d));
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  t.after(() => {
    clearTimeout(timer);
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  return new Promise((resolve) =>
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      // The runner's own output, colours and all (vitest colours it under CI=true): compared as text.
      resolve({ code, signal, out: stripVTControlCharacters(out) });
    }),
  );
}

