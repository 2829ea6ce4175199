// Pub/sub on NATS JetStream (nats-server started here on loopback): a subscriber process is killed between
// delivery and ack; the message is delivered again to the next process and no message is lost.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { startInfra, stopInfra } from "reprise/config";
import { Topic } from "reprise/pubsub";
import { startNats, waitFor } from "./fixtures/services.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), "reprise-psn-"));
let nats;
const children = new Set();

before(async () => {
  nats = await startNats();
  writeFileSync(join(root, "reprise.config.json"), JSON.stringify({ pubsub: { provider: "nats", url: nats.url, streamPrefix: "crashtest" } }));
});
after(async () => {
  for (const c of children) c.kill("SIGKILL");
  await stopInfra();
  await nats?.stop();
  rmSync(root, { recursive: true, force: true });
});

function worker(hangOn) {
  const child = spawn(process.execPath, [join(here, "fixtures", "pubsub-worker.mjs"), root, String(hangOn)], { stdio: ["ignore", "pipe", "inherit"] });
  children.add(child);
  const lines = [];
  let buf = "";
  child.stdout.on("data", (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf("\n")) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
  });
  const exited = new Promise((r) => child.on("exit", r));
  return { child, lines, exited };
}

test("NATS: a process killed mid-handler loses nothing; the message is redelivered", { timeout: 60_000 }, async () => {
  const infra = await startInfra({ appRoot: root });
  assert.equal(infra.config.pubsub.provider, "nats");
  const topic = new Topic("counted", {});
  const N = 20;
  const HANG = 7;

  const w1 = worker(HANG);
  await waitFor("worker 1 ready", () => w1.lines.includes("ready"));
  for (let n = 0; n < N; n++) await topic.publish({ n });
  await waitFor("worker 1 stuck in the handler of message 7", () => w1.lines.includes(`got ${HANG} 1`));
  w1.child.kill("SIGKILL");
  await w1.exited;
  const handled1 = w1.lines.filter((l) => l.startsWith("handled ")).map((l) => Number(l.split(" ")[1]));
  assert.ok(!handled1.includes(HANG), "message 7 was never acked by worker 1");

  const w2 = worker(-1);
  const handledAll = () => new Set([...handled1, ...w2.lines.filter((l) => l.startsWith("handled ")).map((l) => Number(l.split(" ")[1]))]);
  await waitFor("every message handled", () => handledAll().size === N, 30_000);
  assert.deepEqual([...handledAll()].sort((a, b) => a - b), Array.from({ length: N }, (_, i) => i), "nothing lost");
  const redelivered = w2.lines.find((l) => l.startsWith(`got ${HANG} `));
  assert.ok(redelivered && Number(redelivered.split(" ")[2]) >= 2, `message 7 delivered again (attempt ≥ 2): ${redelivered}`);
  w2.child.kill("SIGKILL");
  await w2.exited;
});
