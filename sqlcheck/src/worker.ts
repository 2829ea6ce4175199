/**
 * The worker side of RemoteSqlChecker: one SqlChecker in a worker thread, so the embedded Postgres (synchronous
 * WebAssembly) never blocks the caller's event loop, and a migration that never ends can be stopped by terminating
 * the thread. Requests are `{ id, method, args }`; replies `{ id, result }` or `{ id, error }`; `{ step }` reports
 * each migration step (the caller's watchdog).
 */
import { parentPort, workerData } from "node:worker_threads";
import { folderCache } from "./cache.js";
import { SqlChecker } from "./checker.js";

const port = parentPort;
if (!port) throw new Error("@reprise/sqlcheck's worker runs only as a worker thread");
const { cacheDir } = (workerData ?? {}) as { cacheDir?: string };
const checker = new SqlChecker({ cache: cacheDir ? folderCache(cacheDir) : undefined, onMigrations: (step) => port.postMessage({ step }) });

port.on("message", (msg: { id: number; method: "check" | "describeText" | "tables" | "close"; args: unknown[] }) => {
  const call = (checker[msg.method] as (...a: unknown[]) => Promise<unknown>).apply(checker, msg.args);
  call.then(
    (result) => port.postMessage({ id: msg.id, result }),
    (e: unknown) => port.postMessage({ id: msg.id, error: String((e as Error)?.stack ?? e) }),
  );
});
