// `npm start` (scripts/start.mjs): its "Try: curl …" line comes after `reprise run` announced its listener, names
// the port it really listens on (from --port or $PORT, 0 = a free one, never a hard-coded 4000), and the URL answers
// at once when the line is printed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { freePort, root } from "../http/helpers.mjs";


/** Runs `node scripts/start.mjs ...args` until its Try line; returns the output so far and the line's URL. */
async function startUntilTry(t, args, env = {}) {
  const proc = spawn(process.execPath, [join(root, "scripts", "start.mjs"), ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // start.mjs and the `reprise run` it starts, killed together
  });
  t.after(() => {
    try {
      process.kill(-proc.pid, "SIGKILL");
    } catch {}
  });
  let out = "";
  let err = "";
  proc.stderr.setEncoding("utf8").on("data", (d) => (err += d));
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Try line within 60 s\n${out}\n${err}`)), 60_000);
    proc.on("exit", (code) => (clearTimeout(timer), reject(new Error(`start.mjs exited with ${code}\n${out}\n${err}`))));
    proc.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
      const m = /^Try: curl (\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ out, url: m[1] });
      }
    });
  });
}

async function checkTryLine(t, args, env, expectPort) {
  const { out, url } = await startUntilTry(t, args, env);
  const res = await fetch(url);
  assert.equal(res.status, 200, await res.text());
  const announced = /running at (http:\/\/\S+)/.exec(out);
  assert.ok(announced && out.indexOf(announced[0]) < out.indexOf("Try:"), `the Try line comes after the announce:\n${out}`);
  assert.equal(url, `${announced[1]}/hello/world`);
  const port = Number(new URL(url).port);
  if (expectPort !== undefined) assert.equal(port, expectPort);
  assert.notEqual(port, 4000);
}

test("npm start --port 0: the Try line names the free port it got, and answers", { timeout: 90_000 }, async (t) => {
  await checkTryLine(t, ["--port", "0"], {});
});

test("npm start with PORT set: the Try line uses $PORT", { timeout: 90_000 }, async (t) => {
  const port = await freePort();
  await checkTryLine(t, [], { PORT: String(port) }, port);
});
