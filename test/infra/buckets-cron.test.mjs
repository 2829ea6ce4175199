// Buckets on the filesystem provider (round trip, listing, preconditions, escaping keys rejected with a typed
// error) and cron jobs (run on demand through the scheduler, overlapping runs refused).
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startInfra, stopInfra } from "reprise/config";
import { Bucket, ObjectNotFound, PreconditionFailed, InvalidObjectKey, ObjectsError } from "reprise/storage/objects";
import { CronJob, runCronJob, cronStatus } from "reprise/cron";
import { model } from "./fixtures/sql-suite.mjs";
import { waitFor } from "./fixtures/services.mjs";

const root = mkdtempSync(join(tmpdir(), "reprise-bk-"));
after(async () => {
  await stopInfra();
  rmSync(root, { recursive: true, force: true });
});

let cleanupRuns = 0;
let release;
const cleanup = Object.assign(
  async () => {
    cleanupRuns++;
    if (release === null) await new Promise((r) => (release = r));
  },
  { endpointName: "cleanup" },
);
new CronJob("cleanup-job", { title: "Clean up", every: "1h", endpoint: cleanup });

const m = model({
  buckets: [{ name: "avatars", public: false }],
  cronJobs: [{ name: "cleanup-job", title: "Clean up", every: "1h", schedule: null, endpoint: { service: "jobs", name: "cleanup" } }],
});

test("filesystem bucket: upload, download, attrs, list, remove", { timeout: 30_000 }, async () => {
  await startInfra({ appRoot: root, model: m });
  const b = new Bucket("avatars");
  const a = await b.upload("users/1.png", Buffer.from("PNG"), { contentType: "image/png" });
  assert.equal(a.size, 3);
  assert.equal(readFileSync(join(root, ".reprise", "buckets", "avatars", "users", "1.png"), "utf8"), "PNG");
  assert.deepEqual((await b.download("users/1.png")).toString(), "PNG");
  const attrs = await b.attrs("users/1.png");
  assert.equal(attrs.contentType, "image/png");
  assert.ok(await b.exists("users/1.png"));
  assert.equal(await b.exists("users/2.png"), false);
  await b.upload("users/2.png", new Uint8Array([1, 2]));
  const listed = [];
  for await (const e of b.list({ prefix: "users/" })) listed.push(e.name);
  assert.deepEqual(listed, ["users/1.png", "users/2.png"]);
  await assert.rejects(b.upload("users/2.png", Buffer.from("x"), { preconditions: { notExists: true } }), PreconditionFailed);
  await b.remove("users/1.png");
  await assert.rejects(b.download("users/1.png"), ObjectNotFound);
  await assert.rejects(b.signedDownloadUrl("users/2.png"), (e) => e instanceof ObjectsError && e.code === "Unsupported");
  assert.throws(() => b.publicUrl("users/2.png"), (e) => e.code === "NotPublic");
  const pub = new Bucket("public-assets", { public: true });
  await pub.upload("site.css", Buffer.from("body{}"));
  assert.match(pub.publicUrl("site.css"), /^file:\/\/.*\/public-assets\/site\.css$/);
});

test("object keys that escape the bucket are rejected with a typed error", async () => {
  const b = new Bucket("avatars");
  for (const key of ["../outside.txt", "/etc/passwd", "a/../../x", "a\u0000b", "a//b", ""]) {
    await assert.rejects(b.upload(key, Buffer.from("x")), InvalidObjectKey, JSON.stringify(key));
  }
  await assert.rejects(b.download("../../package.json"), InvalidObjectKey);
  assert.equal(existsSync(join(root, ".reprise", "buckets", "outside.txt")), false);
  assert.throws(() => new Bucket("Bad_Name"), /lowercase/);
});

test("cron: run on demand, overlapping run refused, status lists the next run", { timeout: 30_000 }, async () => {
  const st = cronStatus();
  assert.equal(st.length, 1);
  assert.equal(st[0].name, "cleanup-job");
  await runCronJob("cleanup-job");
  assert.equal(cleanupRuns, 1);
  release = null;
  const first = runCronJob("cleanup-job");
  await waitFor("second run started", () => cleanupRuns === 2);
  await assert.rejects(runCronJob("cleanup-job"), (e) => e.code === "RP_CRON" && e.reason === "AlreadyRunning");
  release();
  await first;
  assert.equal(cleanupRuns, 2);
  await assert.rejects(runCronJob("nope"), (e) => e.reason === "NotFound" && /cleanup-job/.test(e.message));
  const next = cronStatus()[0].nextRun;
  assert.ok(next && new Date(next).getUTCMinutes() === 0, `every 1h runs on the hour: ${next}`);
});
