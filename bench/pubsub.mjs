#!/usr/bin/env node
// Pub/sub benchmark: publish→handle latency (one message in flight, p50/p99) and throughput (many in flight)
// for the in-process provider and NATS JetStream (nats-server started here on loopback, killed at the end).
// Bounded and short: `npm run bench:pubsub` (env BENCH_N scales the message counts).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const N_LAT = Number(process.env.BENCH_N ?? 1000);
const N_TPUT = N_LAT * 5;

async function child(provider, root) {
  const { startInfra, stopInfra } = await import("reprise/config");
  const { Topic, Subscription } = await import("reprise/pubsub");
  const topic = new Topic("bench", {});
  let waiter = null;
  let handled = 0;
  let target = Infinity;
  let allDone = null;
  const lat = [];
  new Subscription(topic, "sink", {
    maxConcurrency: 256,
    handler: async (m) => {
      if (m.t) lat.push(Number(process.hrtime.bigint() - BigInt(m.t)) / 1e6);
      handled++;
      if (waiter) waiter();
      if (handled >= target && allDone) allDone();
    },
  });
  await startInfra({ appRoot: root });
  // Warm-up (stream creation, JIT).
  for (let i = 0; i < 50; i++) {
    const p = new Promise((r) => (waiter = r));
    await topic.publish({ t: null });
    await p;
  }
  lat.length = 0;
  for (let i = 0; i < N_LAT; i++) {
    const p = new Promise((r) => (waiter = r));
    await topic.publish({ t: String(process.hrtime.bigint()) });
    await p;
  }
  waiter = null;
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
  handled = 0;
  target = N_TPUT;
  const done = new Promise((r) => (allDone = r));
  const t0 = process.hrtime.bigint();
  let next = 0;
  const inflight = 256;
  await Promise.all(
    Array.from({ length: inflight }, async () => {
      while (next < N_TPUT) {
        next++;
        await topic.publish({ t: null });
      }
    }),
  );
  const tPub = Number(process.hrtime.bigint() - t0) / 1e9;
  await done;
  const tAll = Number(process.hrtime.bigint() - t0) / 1e9;
  process.stdout.write(
    JSON.stringify({ provider, p50: q(0.5), p99: q(0.99), n: lat.length, publishPerSec: N_TPUT / tPub, handledPerSec: N_TPUT / tAll, tputN: N_TPUT }) + "\n",
  );
  await stopInfra();
  process.exit(0);
}

async function main() {
  const { startNats } = await import("../test/infra/fixtures/services.mjs");
  const results = [];
  const run = (provider, root) =>
    new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [fileURLToPath(import.meta.url), "--child", provider, root], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      c.stdout.on("data", (d) => (out += d));
      const timer = setTimeout(() => c.kill("SIGKILL"), 120_000);
      c.on("exit", (code) => {
        clearTimeout(timer);
        if (code !== 0) reject(new Error(`${provider} run failed (${code})`));
        else resolve(JSON.parse(out.trim().split("\n").at(-1)));
      });
    });
  const memRoot = mkdtempSync(join(tmpdir(), "reprise-bench-"));
  results.push(await run("memory", memRoot));
  const nats = await startNats();
  const natsRoot = mkdtempSync(join(tmpdir(), "reprise-bench-"));
  writeFileSync(join(natsRoot, "reprise.config.json"), JSON.stringify({ pubsub: { provider: "nats", url: nats.url, streamPrefix: "bench" } }));
  try {
    results.push(await run("nats", natsRoot));
  } finally {
    await nats.stop();
    rmSync(memRoot, { recursive: true, force: true });
    rmSync(natsRoot, { recursive: true, force: true });
  }
  console.log(`\npub/sub, ${N_LAT} messages one at a time (latency), ${N_TPUT} with 256 publishes in flight (throughput)\n`);
  console.log("| provider | publish→handle p50 | p99 | publish/s | handled/s |");
  console.log("|---|---|---|---|---|");
  for (const r of results) {
    console.log(`| ${r.provider} | ${r.p50.toFixed(3)} ms | ${r.p99.toFixed(3)} ms | ${Math.round(r.publishPerSec)} | ${Math.round(r.handledPerSec)} |`);
  }
}

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4]);
else await main();
