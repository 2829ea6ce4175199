#!/usr/bin/env node
// Why the PostgreSQL path uses the `pg` Node driver: compares one query through SQLDatabase (pg pool, loopback
// PostgreSQL 15 started here) with the bare cost of one async napi round trip into the Rust runtime (what a
// tokio-postgres pool in Rust would add to every query before any row is copied back). Bounded: ~5 s.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "../test/infra/fixtures/services.mjs";

const N = Number(process.env.BENCH_N ?? 2000);
const pg = await startPostgres();
const root = mkdtempSync(join(tmpdir(), "reprise-bench-sql-"));
writeFileSync(join(root, "reprise.config.json"), JSON.stringify({ sql: { server: pg.url } }));
try {
  const { startInfra, stopInfra } = await import("reprise/config");
  const { SQLDatabase } = await import("reprise/storage/sqldb");
  const { native } = await import("../runtime/sdk/dist/src/config/native.js");
  await startInfra({ appRoot: root });
  const db = new SQLDatabase("bench");
  for (let i = 0; i < 200; i++) await db.queryRow`SELECT ${i}::int + 1 AS v`;
  let t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await db.queryRow`SELECT ${i}::int + 1 AS v`;
  const seqUs = Number(process.hrtime.bigint() - t) / 1e3 / N;
  t = process.hrtime.bigint();
  let next = 0;
  await Promise.all(Array.from({ length: 10 }, async () => { while (next++ < N * 2) await db.queryRow`SELECT ${next}::int + 1 AS v`; }));
  const qps = (N * 2) / (Number(process.hrtime.bigint() - t) / 1e9);
  const n = native();
  for (let i = 0; i < 200; i++) await n.infraPublish("no-subscribers", "1");
  t = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await n.infraPublish("no-subscribers", "1");
  const napiUs = Number(process.hrtime.bigint() - t) / 1e3 / N;
  await stopInfra();
  console.log("| measurement | value |\n|---|---|");
  console.log(`| SQLDatabase.queryRow via pg, sequential | ${seqUs.toFixed(1)} µs/query |`);
  console.log(`| SQLDatabase.queryRow via pg, 10 concurrent (pool 10) | ${Math.round(qps)} queries/s |`);
  console.log(`| one async napi call into Rust and back (no I/O) | ${napiUs.toFixed(1)} µs |`);
} finally {
  await pg.stop();
  rmSync(root, { recursive: true, force: true });
}
