// `reprise run --inspect --watch`: the app runs in a worker per build; a debugger attached to the inspector sees
// that worker as a target (NodeWorker, as VS Code's js-debug and Chrome DevTools do), a breakpoint on a line of
// the app's .ts handler (placed through the bundle's source map) pauses the request there, and this still holds
// after a reload replaced the worker.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import net from "node:net";
import { fixture, freePort, startApp, until } from "./helpers.mjs";
import { connectCdp, inspectorTarget } from "./cdp.mjs";


/** The source map inlined in a bundle (esbuild: `//# sourceMappingURL=data:application/json;base64,...`). */
function inlineSourceMap(scriptSource) {
  const m = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/.exec(scriptSource);
  return m ? new SourceMap(JSON.parse(Buffer.from(m[1], "base64").toString("utf8"))) : null;
}

/** The first generated (0-based) line whose code maps to `line` (0-based) of a source ending in `sourceSuffix`. */
function generatedLine(map, scriptSource, sourceSuffix, line) {
  const lines = scriptSource.split("\n");
  for (let g = 0; g < lines.length; g++) {
    const col = lines[g].search(/\S/);
    if (col < 0) continue;
    const e = map.findEntry(g, col);
    if (e && e.originalSource?.endsWith(sourceSuffix) && e.originalLine === line) return g;
  }
  return -1;
}

/** Attaches to the app worker (the one running cli/.../worker.js), enables its debugger, returns the session. */
async function attachAppWorker(cdp, notSession) {
  const attached = await cdp.waitFor("NodeWorker.attachedToWorker", (p) => /run\/worker\.js/.test(p.workerInfo.url) && p.sessionId !== notSession, 60_000);
  const w = cdp.worker(attached.sessionId);
  await w.send("Debugger.enable");
  // `handled`: pauses already dealt with, so that later waits see only new ones.
  return { session: attached.sessionId, w, waiting: attached.waitingForDebugger, handled: new Set() };
}

/**
 * Places a breakpoint on `tsLine` (0-based) of the app's `file` in the worker, the way a source-map-aware debugger
 * does: find the bundle script, read its inline source map, break on the generated line that maps there. A worker
 * that waits for the debugger (a reload's new build) is let run with an instrumentation breakpoint that stops
 * before each script with a source map executes; its first-line stop (as with --inspect-brk) is resumed.
 */
async function breakOn(worker, file, tsLine) {
  const { w } = worker;
  const isBundle = (url) => /\.reprise\/run\/app-[0-9a-f]+\.mjs$/.test(url);
  const place = async (scriptId, url) => {
    const { scriptSource } = await w.send("Debugger.getScriptSource", { scriptId });
    const map = inlineSourceMap(scriptSource);
    assert.ok(map, "the bundle carries an inline source map");
    const g = generatedLine(map, scriptSource, file, tsLine);
    assert.ok(g >= 0, `a generated line maps to ${file}:${tsLine + 1}`);
    await w.send("Debugger.setBreakpointByUrl", { url, lineNumber: g });
    return map;
  };
  if (!worker.waiting) {
    const parsed = await w.waitFor("Debugger.scriptParsed", (p) => isBundle(p.url));
    return place(parsed.scriptId, parsed.url);
  }
  const { breakpointId } = await w.send("Debugger.setInstrumentationBreakpoint", { instrumentation: "beforeScriptWithSourceMapExecution" });
  await w.send("Runtime.runIfWaitingForDebugger");
  const { handled } = worker;
  for (let i = 0; i < 200; i++) {
    const paused = await w.waitFor("Debugger.paused", (p) => !handled.has(p), 60_000);
    handled.add(paused);
    const url = paused.data?.url ?? "";
    if (paused.reason === "instrumentation" && isBundle(url)) {
      const map = await place(paused.data.scriptId, url);
      await w.send("Debugger.removeBreakpoint", { breakpointId });
      await w.send("Debugger.resume");
      return map;
    }
    await w.send("Debugger.resume");
  }
  throw new Error("the bundle never ran in the new worker");
}

test("breakpoints in the app's .ts files hit under --inspect --watch, also after a reload", { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-inspect-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(fixture("encore-app"), dir, { recursive: true });
  const inspectPort = await freePort();
  const app = await startApp(t, dir, { args: ["--watch", `--inspect=127.0.0.1:${inspectPort}`] });
  const cdp = await connectCdp(await inspectorTarget("127.0.0.1", inspectPort));
  t.after(() => cdp.close());
  await cdp.send("NodeWorker.enable", { waitForDebuggerOnStart: true });

  const file = join("hello", "hello.ts");
  const source = readFileSync(join(dir, file), "utf8").split("\n");
  const tsLine = source.findIndex((l) => l.includes("return { message: `Hello ${name}!` };"));
  assert.ok(tsLine > 0);

  const first = await attachAppWorker(cdp);
  const map = await breakOn(first, "hello/hello.ts", tsLine);
  const pending = fetch(app.url + "/hello/dbg");
  const paused = await first.w.waitFor("Debugger.paused", (p) => !first.handled.has(p), 30_000);
  const top = paused.callFrames[0];
  const orig = map.findEntry(top.location.lineNumber, top.location.columnNumber ?? 0);
  assert.ok(orig.originalSource.endsWith("hello/hello.ts"), `paused in ${orig.originalSource}`);
  assert.equal(orig.originalLine, tsLine, "paused on the breakpoint's .ts line");
  await first.w.send("Debugger.resume");
  const res = await pending;
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { message: "Hello dbg!" });

  // A reload starts a new worker: the debugger is told about it and its breakpoints work the same way.
  const edited = source.map((l) => l.replace("`Hello ${name}!`", "`Hi ${name}!`"));
  writeFileSync(join(dir, file), edited.join("\n"));
  const second = await attachAppWorker(cdp, first.session);
  const map2 = await breakOn(second, "hello/hello.ts", tsLine);
  await until(() => /Reloaded in/.test(app.stdout), { timeoutMs: 60_000, what: "the reload" });
  const pending2 = fetch(app.url + "/hello/again");
  const paused2 = await second.w.waitFor("Debugger.paused", (p) => !second.handled.has(p), 30_000);
  const top2 = paused2.callFrames[0];
  assert.equal(map2.findEntry(top2.location.lineNumber, top2.location.columnNumber ?? 0).originalLine, tsLine);
  await second.w.send("Debugger.resume");
  const res2 = await pending2;
  assert.equal(res2.status, 200);
  assert.deepEqual(await res2.json(), { message: "Hi again!" });
});
