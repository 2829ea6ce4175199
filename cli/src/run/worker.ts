/**
 * A watch-mode app worker: loads one build of the app on its own JS thread and registers a dispatcher that the
 * main thread activates with the matching model (`reload`), so the listener never closes while code changes.
 */
import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import type { AppModel } from "@reprise/protocol";

interface Data {
  bundle: string;
  model: AppModel;
  appRoot: string;
  configFile: string | null;
}

const { bundle, model, appRoot, configFile } = workerData as Data;
process.setSourceMapsEnabled(true);
try {
  const { installApp } = await import("reprise/internal/host");
  const mod = (await import(pathToFileURL(bundle).href)) as { endpoints: unknown[]; authHandler?: unknown };
  const host = installApp({ model, endpoints: mod.endpoints, authHandler: mod.authHandler }, false);
  const { startAppInfra } = await import("./infra.js");
  const infra = await startAppInfra(appRoot, model, configFile);
  parentPort!.postMessage({ type: "ready", dispatcher: host.dispatcherHandle });
  parentPort!.on("message", (m: { type: string }) => {
    if (m.type === "drain") {
      const poll = () => {
        if (host.inFlight !== 0) return void setTimeout(poll, 20);
        infra.shutdown().then(
          () => parentPort!.postMessage({ type: "drained" }),
          () => parentPort!.postMessage({ type: "drained" }),
        );
      };
      poll();
    }
  });
} catch (e) {
  parentPort!.postMessage({ type: "error", message: (e as Error).stack ?? String(e) });
}
