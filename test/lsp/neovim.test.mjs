// Drives the server from Neovim's built-in LSP client (Debian neovim 0.7.2, headless) and checks that the
// diagnostics and document symbols of the opened file arrive. scripts/ci-deps.d/neovim.sh installs nvim
// (npm test runs it when it can).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { fixtures, rangeOf, SERVER } from "./client.mjs";
import { notInstalled } from "../../scripts/test-deps.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const hasNvim = spawnSync("nvim", ["--version"], { stdio: "ignore" }).status === 0;

test("Neovim's LSP client receives the diagnostics and symbols", { skip: hasNvim ? false : notInstalled("nvim") }, async () => {
  const root = join(fixtures, "basic");
  const file = join(root, "users", "admin.ts");
  const tmp = mkdtempSync(join(tmpdir(), "reprise-nvim-"));
  const out = join(tmp, "out.txt");
  try {
    const child = spawn("nvim", ["--headless", "-n", "-i", "NONE", "-u", join(here, "neovim-client.lua"), file], {
      cwd: root,
      stdio: ["ignore", "ignore", "pipe"],
      env: { ...process.env, REPRISE_NVIM_OUT: out, REPRISE_SERVER: SERVER, REPRISE_NODE: process.execPath, REPRISE_ROOT: root, XDG_STATE_HOME: tmp, XDG_DATA_HOME: tmp, XDG_CONFIG_HOME: tmp },
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const killer = setTimeout(() => child.kill("SIGKILL"), 30000);
    const code = await new Promise((resolve) => child.on("exit", (c) => resolve(c)));
    clearTimeout(killer);
    assert.equal(code, 0, `nvim exited with ${code}: ${stderr}`);
    const lines = readFileSync(out, "utf8").trim().split("\n");
    assert.notDeepEqual(lines, ["TIMEOUT"], "diagnostics arrived before the deadline");
    const r = rangeOf(readFileSync(file, "utf8"), '"admin/ping"');
    assert.ok(lines.includes(`diagnostic ${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} RP2001 ${lines.find((l) => l.startsWith("diagnostic"))?.split(" RP2001 ")[1]}`), lines.join("\n"));
    assert.match(lines.find((l) => l.startsWith("diagnostic")), /RP2001 .*\//);
    assert.ok(lines.includes("symbol GET /admin/health"), lines.join("\n"));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
