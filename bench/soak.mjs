#!/usr/bin/env node
// bench:soak — one long-lived `reprise run` of the load fixture (test/http/fixtures/load), unpinned, under the
// load-hold test's mix (test/http/load.mjs: GET, validated POST, Rust-rejected bodies, throwing handlers, auth
// accepted and refused, a service call, raw and WebSocket stream endpoints) for SOAK_SECONDS (300). Each minute
// cycles the three shapes (4 keep-alive connections, 8 pipelining 8 deep, 56 mixed) for 20 s each; between
// shapes a fresh connection must be answered within 1 s. Prints per minute: requests answered, wrong answers,
// lost and hung requests, p50/p99, the server's RSS. Goal: 0 hung requests, RSS growth ≤10% after the first
// minute. Exits non-zero if a request hangs or a check fails. Not part of `npm test` (it runs for minutes).
// Env: SOAK_SECONDS (300), SOAK_WATCH=1 (run the app with --watch: in a worker thread), SOAK_PORT (18600).
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Tally, probe, round } from "../test/http/load.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const SECONDS = Number(process.env.SOAK_SECONDS ?? 300);
const PORT = Number(process.env.SOAK_PORT ?? 18600);
const HOST = "127.0.0.1";
const SHAPES = [
  ["few", { keepAlive: 4, pipelined: 0, streams: 1 }],
  ["pipelined", { keepAlive: 0, pipelined: 8, depth: 8, streams: 1 }],
  ["many", { keepAlive: 40, pipelined: 12, depth: 6, streams: 4 }],
];

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) / 1024;

async function main() {
  const args = [join(root, "cli/bin/reprise.mjs"), "run", join(root, "test/http/fixtures/load"), "--port", String(PORT), ...(process.env.SOAK_WATCH === "1" ? ["--watch"] : [])];
  const server = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, REPRISE_LOG_LEVEL: "error" } });
  let stderr = "";
  server.stderr.on("data", (d) => (stderr += d));
  const up = await new Promise((resolve) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      if (/running at/.test(out)) resolve(true);
    });
    server.once("exit", () => resolve(false));
  });
  if (!up) throw new Error(`reprise run did not start\n${stderr}`);
  const tally = new Tally();
  const minutes = [];
  const started = Date.now();
  let failure = null;
  console.log(`bench:soak — ${SECONDS} s against one reprise run (pid ${server.pid}${process.env.SOAK_WATCH === "1" ? ", --watch" : ""}), unpinned\n`);
  console.log("| minute | answered | req/s | wrong | lost | hung | p50 ms | p99 ms | RSS MB |");
  console.log("|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
  try {
    for (let m = 1; (m - 1) * 60 < SECONDS && !failure; m++) {
      const before = { answered: tally.answered, wrong: tally.wrong.length, lost: tally.lost.length };
      const t0 = Date.now();
      const times = [];
      let hung = 0;
      for (const [name, shape] of SHAPES) {
        const ms = Math.min(20_000, SECONDS * 1000 - (Date.now() - started));
        if (ms <= 0) break;
        const r = await round(HOST, PORT, tally, { ms, ...shape });
        for (const x of tally.times) times.push(x);
        tally.window();
        if (r.stuck || !r.finished || tally.inflight.size) {
          hung = tally.inflight.size;
          server.kill("SIGUSR2");
          await new Promise((resolve) => setTimeout(resolve, 500));
          failure = `minute ${m}, shape ${name}: ${hung} request(s) unanswered for over 5 s; ${/dispatch state .*/.exec(stderr)?.[0] ?? "no dispatch state"}`;
          break;
        }
        try {
          await probe(HOST, PORT, 1000);
        } catch (e) {
          failure = `minute ${m}, after shape ${name}: a fresh request was not answered within 1 s (${e.message})`;
          break;
        }
      }
      times.sort((a, b) => a - b);
      const q = (p) => (times.length ? times[Math.min(times.length - 1, Math.floor(p * times.length))] : 0);
      const answered = tally.answered - before.answered;
      const row = {
        minute: m,
        answered,
        rps: answered / ((Date.now() - t0) / 1000),
        wrong: tally.wrong.length - before.wrong,
        lost: tally.lost.length - before.lost,
        hung,
        p50: q(0.5),
        p99: q(0.99),
        rss: rssMb(server.pid),
      };
      minutes.push(row);
      console.log(`| ${m} | ${answered} | ${row.rps.toFixed(0)} | ${row.wrong} | ${row.lost} | ${hung} | ${row.p50.toFixed(1)} | ${row.p99.toFixed(1)} | ${row.rss.toFixed(0)} |`);
    }
  } finally {
    server.kill("SIGKILL");
  }
  const first = minutes[0]?.rss;
  const last = minutes.at(-1)?.rss;
  const growth = first ? ((last - first) / first) * 100 : NaN;
  console.log(`\n${tally.sent} requests sent, ${tally.answered} answered, ${tally.wrong.length} wrong, ${tally.lost.length} lost; RSS ${first?.toFixed(0)} MB after minute 1 → ${last?.toFixed(0)} MB at the end (${growth >= 0 ? "+" : ""}${growth.toFixed(1)}%)`);
  for (const w of tally.wrong.slice(0, 5)) console.log(`  wrong: ${w}`);
  for (const l of tally.lost.slice(0, 5)) console.log(`  lost: ${l}`);
  if (failure) console.log(`\nFAILED: ${failure}`);
  const ok = !failure && tally.wrong.length === 0 && tally.lost.length === 0 && tally.answered === tally.sent;
  console.log(ok ? (growth <= 10 ? "goal met: 0 hung requests, RSS growth ≤10% after the first minute" : `0 hung requests; RSS growth ${growth.toFixed(1)}% is over the 10% goal`) : "goal missed");
  process.exit(ok ? 0 : 1);
}

main().catch((e) => {
  console.error(`bench:soak: ${e.stack ?? e}`);
  process.exit(1);
});
