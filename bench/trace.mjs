#!/usr/bin/env node
// Tracing overhead and size: `npm run bench:trace`.
//
// 1. Throughput of `reprise run examples/hello` on GET /hello/:name (the bench:http read workload) with tracing off
//    and at sampling 0%, 10% and 100%, measured with wrk (Debian) against loopback. Arms alternate over several
//    short rounds (the machine is shared and noisy): each round measures every arm once, in a rotated order, and
//    the loss reported is the median over rounds of each arm's throughput relative to the same round's "tracing
//    off" run, so drift between rounds cancels out. Goals: ≤5% loss at 10%, ≤15% at 100%.
// 2. Encoded bytes per span vs the same spans as OTLP protobuf: the reprise-trace size test prints its table.
//
// Bounded: BENCH_ROUNDS (default 5) × 4 arms × BENCH_SECONDS (default 3) of load, plus start-up.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

import { freePort } from "../test/http/helpers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "cli", "bin", "reprise.mjs");
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const pin = process.env.BENCH_PIN !== "0" && spawnSync("taskset", ["-c", "0", "true"]).status === 0;

const arms = [
  { name: "tracing off", env: { REPRISE_TRACING: "off" } },
  { name: "sampling 0%", env: { REPRISE_TRACE_SAMPLE_RATE: "0" } },
  { name: "sampling 10%", env: { REPRISE_TRACE_SAMPLE_RATE: "0.1" } },
  { name: "sampling 100%", env: { REPRISE_TRACE_SAMPLE_RATE: "1" } },
];


async function startApp(env) {
  const port = await freePort();
  const cmd = pin ? "taskset" : process.execPath;
  const args = pin ? ["-c", "0", process.execPath, cli, "run", "examples/hello", "--port", String(port)] : [cli, "run", "examples/hello", "--port", String(port)];
  const child = spawn(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start within 60 s:\n${out}`)), 60_000);
    const onData = (d) => {
      out += d;
      if (/running at http/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", (d) => (out += d));
    child.once("exit", (code) => reject(new Error(`app exited ${code}:\n${out}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const check = await fetch(`${url}/hello/bench`);
  if (check.status !== 200) throw new Error(`GET /hello/bench answered ${check.status}`);
  return { child, url };
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", resolve);
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 5000).unref();
  });
}

function wrk(url) {
  const args = ["-t1", "-c50", `-d${seconds}s`, "--latency", `${url}/hello/world`];
  const r = pin ? spawnSync("taskset", ["-c", "1", "wrk", ...args], { encoding: "utf8" }) : spawnSync("wrk", args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`wrk failed: ${r.stderr}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(r.stdout)?.[1]);
  const p99 = /99%\s+([\d.]+\w+)/.exec(r.stdout)?.[1] ?? "?";
  const errors = /Non-2xx or 3xx responses: (\d+)/.exec(r.stdout)?.[1];
  if (errors) throw new Error(`${errors} non-2xx responses under load`);
  const total = Number(/(\d+) requests in/.exec(r.stdout)?.[1]);
  return { rps, p99, total };
}

// CPU time of the server process (all its threads: utime + stime, in clock ticks of 10 ms). CPU per request
// barely moves when another process takes the core away, which throughput does, so it is the steadier measure.
const CLK_TCK = 100;
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (spawnSync("wrk", ["--version"]).error) {
    console.error("bench:trace needs wrk (Debian package `wrk`).");
    process.exit(2);
  }
  const results = new Map(arms.map((a) => [a.name, []]));
  const cpus = new Map(arms.map((a) => [a.name, []]));
  const p99s = new Map(arms.map((a) => [a.name, []]));
  let stats = null;
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no arm always runs first (warm caches, thermal drift).
    const order = arms.map((_, i) => arms[(i + round) % arms.length]);
    for (const arm of order) {
      const { child, url } = await startApp(arm.env);
      try {
        wrk(url); // warm-up, not counted (JIT, connection set-up)
        const before = cpuTicks(child.pid);
        const r = wrk(url);
        const after = cpuTicks(child.pid);
        results.get(arm.name).push(r.rps);
        cpus.get(arm.name).push((((after - before) / CLK_TCK) * 1e6) / r.total);
        console.error(`round ${round + 1} ${arm.name.padEnd(14)} ${r.rps.toFixed(0).padStart(6)} req/s  ${cpus.get(arm.name).at(-1).toFixed(1)} µs CPU/req`);
        p99s.get(arm.name).push(r.p99);
        if (arm.name === "sampling 100%") stats = await (await fetch(`${url}/__reprise/traces?limit=1`)).json().then((j) => j.stats).catch(() => null);
      } finally {
        await stop(child);
      }
    }
  }
  const off = results.get("tracing off");
  const offCpu = cpus.get("tracing off");
  console.log(`\n## Tracing overhead: GET /hello/:name, wrk -t1 -c50 ${seconds}s, ${rounds} rounds, ${pin ? "server on core 0, wrk on core 1" : "unpinned"}\n`);
  console.log("| arm | req/s (median) | throughput vs off (median of per-round ratios) | per-round loss % | µs CPU/req (median) | CPU/req vs off (median of per-round ratios) | p99 (last round) |");
  console.log("|---|--:|--:|--:|--:|--:|--:|");
  for (const arm of arms) {
    const rps = results.get(arm.name);
    const ratios = rps.map((r, i) => r / off[i]);
    const loss = ((1 - median(ratios)) * 100).toFixed(1);
    const each = ratios.map((q) => `${((1 - q) * 100).toFixed(1)}`).join(" / ");
    const isOff = arm.name === "tracing off";
    const cpu = cpus.get(arm.name);
    const cpuRatio = median(cpu.map((c, i) => c / offCpu[i]));
    const cpuCol = isOff ? "—" : `+${((cpuRatio - 1) * 100).toFixed(1)}% (≈ ${((1 - 1 / cpuRatio) * 100).toFixed(1)}% throughput)`;
    console.log(`| ${arm.name} | ${median(rps).toFixed(0)} | ${isOff ? "—" : `${loss}% loss`} | ${isOff ? "—" : each} | ${median(cpu).toFixed(1)} | ${cpuCol} | ${p99s.get(arm.name).at(-1)} |`);
  }
  if (stats) console.log(`\nAt 100%: ${stats.written} traces written, ${stats.droppedQueueFull} dropped on a full queue, ${stats.stored} in the store (${stats.storedBytes} bytes).`);

  console.log("\n## Encoded size: ours vs OTLP protobuf (reprise-trace size test)\n");
  const size = spawnSync("cargo", ["test", "--release", "-q", "-p", "reprise-trace", "--test", "size_vs_otlp", "--", "--nocapture"], { cwd: root, encoding: "utf8" });
  const table = size.stdout.split("\n").filter((l) => l.startsWith("|")).join("\n");
  console.log(table || `(size test did not run: ${size.stderr.slice(-500)})`);
}

if (!existsSync(join(root, "runtime", "sdk", "native"))) {
  console.error("bench:trace needs the runtime's native addon: run `npm install` first.");
  process.exit(2);
}
await main();
