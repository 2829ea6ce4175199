/**
 * A watch-mode app worker: loads one build of the app on its own JS thread and registers a dispatcher that the
 * main thread activates with the matching model (`reload`), so the listener never closes while code changes.
 *
 * Messages: worker → main `ready` (dispatcher registered, infrastructure prepared), `took-over`, `drained`,
 * `error`; main → worker `takeover` (the previous build has shut down: take its databases, providers,
 * subscriptions and cron), `abandon` (this build is not used), `drain` (finish requests, shut down).
 */
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import type { AppModel } from "@reprise/protocol";
import type { AppInfra, PreparedAppInfra } from "./infra.js";
import { mark } from "./timings.js";

interface Data {
  bundle: string;
  model: AppModel;
  appRoot: string;
  configFile: string | null;
  /** Set on a reload: the build that still serves and what it holds. */
  previousBuild: { databases: string[] } | null;
}

const { bundle, model, appRoot, configFile, previousBuild } = workerData as Data;
const port = parentPort!;
const message = (e: unknown) => (e as Error)?.stack ?? String(e);
let prepared: PreparedAppInfra | null = null;
let infra: AppInfra | null = null;
mark("worker: started");
try {
  const { installApp } = await import("reprise/internal/host");
  await (await import("./infra.js")).serveDatabaseSockets(appRoot, model, configFile);
  // Source maps on for the app's bundle only (see serve.ts).
  process.setSourceMapsEnabled(true);
  const mod = (await import(pathToFileURL(bundle).href)) as { endpoints: unknown[]; authHandler?: unknown };
  const host = installApp({ model, endpoints: mod.endpoints, authHandler: mod.authHandler }, false);
  mark("worker: app loaded");
  const { prepareAppInfra } = await import("./infra.js");
  prepared = await prepareAppInfra(appRoot, model, configFile, previousBuild);
  mark("worker: infrastructure prepared");
  if (!previousBuild) infra = await prepared.takeOver();
  port.postMessage({ type: "ready", dispatcher: host.dispatcherHandle });
  port.on("message", (m: { type: string }) => {
    if (m.type === "takeover") {
      prepared!.takeOver().then(
        (i) => {
          infra = i;
          mark("worker: took over");
          port.postMessage({ type: "took-over" });
        },
        (e) => port.postMessage({ type: "error", message: message(e) }),
      );
    } else if (m.type === "abandon") {
      void prepared!.abandon().finally(() => port.postMessage({ type: "drained" }));
    } else if (m.type === "drain") {
      const poll = () => {
        if (host.inFlight !== 0) return void setTimeout(poll, 20);
        // A build that never took over owns no providers: it only closes its own databases.
        const done = infra ? infra.shutdown() : prepared!.abandon();
        done.then(
          () => port.postMessage({ type: "drained" }),
          () => port.postMessage({ type: "drained" }),
        );
      };
      poll();
    }
  });
} catch (e) {
  await prepared?.abandon().catch(() => {});
  port.postMessage({ type: "error", message: message(e) });
}
