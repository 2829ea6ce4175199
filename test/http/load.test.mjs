// The runtime keeps answering under sustained concurrent load, unpinned (both cores, the way laptops and servers run
// it), in one long-lived process, every kind of request mixed (load.mjs) in rounds of three shapes: 4 keep-alive
// connections (wrk -c4's shape: small batches, the JS thread drains often, which is where the lost wake-up struck
// within a second), 8 connections pipelining 8 deep, and 56 connections (40 keep-alive, 12 pipelining 6 deep,
// 4 WebSocket streams). Between rounds a fresh connection must be answered within 1 s;
// at the end every request sent got exactly one response, the expected one. A request unanswered for 5 s fails the
// test with the dispatcher's state (queue, wake-up flags, pending requests, parked replies), read from the process
// with SIGUSR2. Guards the lost wake-up of the batched dispatch (runtime/wake): before it was fixed the server
// stopped answering within a second of such load.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, startApp } from "./helpers.mjs";
import { KINDS, Tally, probe, round } from "./load.mjs";

const ROUND_MS = { few: 5000, pipelined: 3000, many: 3000 };

/** The dispatch's state, printed by `reprise run` on SIGUSR2. */
async function dispatchState(app) {
  const from = app.stderr.length;
  app.proc.kill("SIGUSR2");
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    const m = /reprise: dispatch state (.*)/.exec(app.stderr.slice(from));
    if (m) return m[1];
    if (app.proc.exitCode !== null || app.proc.signalCode !== null) return `(the server exited: ${app.proc.exitCode ?? app.proc.signalCode}) ${app.stderr.slice(from, from + 2000)}`;
    await new Promise((resolve) => {
      const timer = setTimeout(resolve, 100);
      app.proc.stderr.once("data", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return "(no answer to SIGUSR2 within 3 s: the JS thread itself is blocked)";
}

const SHAPES = {
  few: { keepAlive: 4, pipelined: 0, streams: 1 },
  pipelined: { keepAlive: 0, pipelined: 8, depth: 8, streams: 1 },
  many: { keepAlive: 40, pipelined: 12, depth: 6, streams: 4 },
};

async function hold(t, app, shapes) {
  const { hostname, port: p } = new URL(app.url);
  const port = Number(p);
  const tally = new Tally();
  for (const [index, shape] of shapes.entries()) {
    const r = `${index + 1} (${shape})`;
    let stuck = null;
    const onStuck = () => {
      const kinds = [...new Set([...tally.inflight.values()].map((x) => x.kind))];
      stuck = { count: tally.inflight.size, kinds, answered: tally.answered, state: dispatchState(app) };
    };
    const res = await round(hostname, port, tally, { ms: ROUND_MS[shape], ...SHAPES[shape], onStuck });
    if (res.stuck || !res.finished || tally.inflight.size) {
      stuck ??= { count: tally.inflight.size, kinds: [], answered: tally.answered, state: dispatchState(app) };
      assert.fail(
        `round ${r}: ${stuck.count} request(s) unanswered for over 5 s (${stuck.kinds.join(", ")}) after ${stuck.answered} answered; ` +
          `dispatch state: ${await stuck.state}`,
      );
    }
    const w = tally.window();
    let ms;
    try {
      ms = await probe(hostname, port, 1000);
    } catch (e) {
      assert.fail(`round ${r}: a fresh request was not answered within 1 s (${e.message}); dispatch state: ${await dispatchState(app)}`);
    }
    t.diagnostic(`round ${r}: ${w.n} responses, p50 ${w.p50.toFixed(1)} ms, p99 ${w.p99.toFixed(1)} ms; fresh request ${ms.toFixed(1)} ms`);
  }
  assert.deepEqual(tally.lost, [], "requests that never got a response");
  assert.deepEqual(tally.wrong, [], "unexpected or duplicate responses");
  assert.equal(tally.answered, tally.sent, "every request sent got exactly one response");
  for (const name of [...KINDS.map((k) => k.name), "stream"]) {
    const k = tally.byKind.get(name);
    assert.ok(k && k.ok === k.sent && k.sent > 0, `${name}: ${JSON.stringify(k)}`);
  }
  t.diagnostic(`${tally.sent} requests, all answered once: ${[...tally.byKind].map(([k, v]) => `${k} ${v.sent}`).join(", ")}`);
}

test("the runtime keeps answering every request under sustained concurrent load", async (t) => {
  const app = await startApp(t, fixture("load"), { env: { REPRISE_LOG_LEVEL: "error" } });
  await hold(t, app, ["few", "pipelined", "many"]);
});

test("--watch (the app in a worker thread) keeps answering under the same load", async (t) => {
  const app = await startApp(t, fixture("load"), { env: { REPRISE_LOG_LEVEL: "error" }, args: ["--watch"] });
  await hold(t, app, ["few", "many"]);
});
