/**
 * Runs an analysed app: loads the bundle (in this thread, or in a worker per build with --watch), starts the Rust
 * listener, prints the URL and endpoint table, and shuts down gracefully on SIGINT/SIGTERM/SIGHUP (stop accepting,
 * finish in-flight requests within 10 s, exit 0).
 *
 * Each run makes a random token for the runtime's tool routes (`/__reprise/*`: traces, cron and pub/sub admin),
 * hands it to the runtime and writes it with the port and pid to `<app>/.reprise/instances/<port>.json` (0600),
 * where `reprise traces | cron | pubsub` and the editor find it; the file goes when the process exits.
 *
 * Watch mode keeps the listener in this thread and runs each build of the app in a fresh worker. On a change the
 * app is re-analysed and rebuilt; the new worker loads the app, registers an inactive dispatcher and prepares
 * its infrastructure (new databases are created and migrated) while the old build keeps serving; then the main
 * thread swaps the model and that dispatcher in one native call, the old worker finishes its requests and shuts
 * its infrastructure down, and the new worker takes over what the old one held (embedded databases, which allow
 * one opener; the providers; subscriptions and cron; calls that need them wait meanwhile). Errors in a new build
 * are printed and the previous build keeps serving.
 */
import { watch, type FSWatcher } from "node:fs";
import { Worker } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import inspector from "node:inspector";
import type { AppModel } from "@reprise/protocol";
import { formatDiagnostics, prepareApp } from "./build.js";
import { endpointTable } from "./table.js";
import type { RunArgs } from "./args.js";
import { mark } from "./timings.js";
import { heldDatabases, serveDatabaseSockets, startAppInfra, type AppInfra } from "./infra.js";
import { loopbackUrl } from "@reprise/protocol/tool-routes";
import { newToolToken, removeInstanceFile, writeInstanceFile } from "../instances.js";
import { builtDashboard, dashboardUrl, prepareDashboard, writeCatalog } from "./dashboard.js";

const SHUTDOWN_GRACE_MS = 10_000;

function timeoutFromEnv(): number | undefined {
  const v = process.env.REPRISE_REQUEST_TIMEOUT_MS;
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

export async function serve(appRoot: string, model: AppModel, bundle: string, args: RunArgs): Promise<number> {
  if (args.inspect) {
    inspector.open(args.inspect.port, args.inspect.host, false);
    console.log(`Debugger listening on ${inspector.url()}`);
  }
  const host = await import("reprise/internal/host");
  mark("runtime host + addon loaded");
  let worker: Worker | null = null;
  let infra: AppInfra | null = null;
  const toolToken = newToolToken();
  let instanceFile: string | null = null;
  const forgetInstance = () => {
    if (instanceFile) removeInstanceFile(instanceFile, toolToken);
    instanceFile = null;
  };
  /** Publishes this run's instance file; removed on exit, whatever the cause (signals go through `stop` below). */
  const registerInstance = (port: number) => {
    try {
      instanceFile = writeInstanceFile(appRoot, { port, pid: process.pid, token: toolToken, url: loopbackUrl(process.env.REPRISE_HOST, port) });
    } catch (e) {
      console.error(`reprise: could not write the instance file for the tools (reprise traces/cron/pubsub): ${(e as Error).message}`);
    }
    process.once("exit", forgetInstance);
  };
  const built = builtDashboard();
  let dashboardDir: string | null = null;
  let dashboardNote = "reason" in built ? `no dashboard: ${built.reason}` : "";
  if (built.dir) {
    try {
      dashboardDir = prepareDashboard(appRoot, model, built.dir);
    } catch (e) {
      dashboardNote = `no dashboard: could not write ${appRoot}/.reprise/dashboard: ${(e as Error).message}`;
    }
  }
  const serveOptions = (): import("reprise/internal/host").ServeOptions => ({
    model,
    appRoot,
    port: args.port,
    host: process.env.REPRISE_HOST,
    requestTimeoutMs: timeoutFromEnv(),
    toolToken,
    dashboardDir: dashboardDir ?? undefined,
  });
  const announceAll = (port: number) => {
    const url = announce(model, port);
    if (dashboardDir) console.log(`Dashboard: ${dashboardUrl(url, toolToken)}`);
    else console.log(dashboardNote);
  };
  if (args.watch) {
    const w = await startWorker(bundle, model, appRoot, args.config, null);
    worker = w.worker;
    const port = await host.startServer(serveOptions());
    registerInstance(port);
    host.reloadModel(model, appRoot, w.dispatcher);
    announceAll(port);
    void warmPGliteTemplate();
    watchApp(appRoot, model, bundle, args.config, () => worker!, (nw) => (worker = nw), (m) => {
      if (dashboardDir) writeCatalog(dashboardDir, m);
    });
  } else {
    // Source maps on for the app's bundle (stack traces with .ts lines), not before: with them on, Node reads and
    // parses the map of every module loaded afterwards, and the SDK's would cost start-up time for nothing.
    try {
      await serveDatabaseSockets(appRoot, model, args.config);
    } catch (e) {
      console.error(`reprise run: ${(e as Error).message}`);
      return 1;
    }
    process.setSourceMapsEnabled(true);
    const mod = (await import(pathToFileURL(bundle).href)) as { endpoints: unknown[]; authHandler?: unknown };
    mark("app bundle loaded");
    host.installApp({ model, endpoints: mod.endpoints, authHandler: mod.authHandler });
    mark("app installed");
    try {
      infra = await startAppInfra(appRoot, model, args.config);
      mark("infrastructure started");
    } catch (e) {
      // The runtime's dispatcher keeps the event loop alive once the app is installed: leave explicitly.
      console.error(`reprise run: ${(e as Error).message}`);
      process.exit(1);
    }
    const port = await host.startServer(serveOptions());
    registerInstance(port);
    mark("listening");
    announceAll(port);
  }
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      forgetInstance();
      console.log(`\n${signal}: shutting down (finishing in-flight requests)`);
      const left = await host.shutdownServer(SHUTDOWN_GRACE_MS);
      if (left) console.log(`${left} connection(s) did not finish within ${SHUTDOWN_GRACE_MS / 1000} s`);
      await infra?.shutdown().catch((e: Error) => console.error(`reprise: infrastructure shutdown: ${e.message}`));
      if (worker) await stopWorker(worker, 2000);
      resolve(0);
      // The runtime's threadsafe function keeps the event loop alive by design; leave explicitly.
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
    process.once("SIGHUP", () => void stop("SIGHUP"));
    // `kill -USR2 <pid>`: the dispatch's state on stderr, to diagnose a request that gets no answer.
    process.on("SIGUSR2", () => console.error(`reprise: dispatch state ${JSON.stringify(host.dispatchState())}`));
  });
}

function announce(model: AppModel, port: number): string {
  const hostName = process.env.REPRISE_HOST ?? "127.0.0.1";
  const url = `http://${hostName === "0.0.0.0" ? "localhost" : hostName}:${port}`;
  console.log(`Reprise: ${model.app.id || "app"} running at ${url}`);
  console.log(endpointTable(model, url));
  return url;
}

/**
 * Watch mode: builds the cached initialised PGlite cluster in the background when it is missing, so a database
 * added while the app runs is a copy away instead of a full initdb (runtime/sdk/src/internal/pglite-template.ts).
 */
async function warmPGliteTemplate(): Promise<void> {
  const { pgliteTemplateDir, isInitialised } = await import("reprise/internal/pglite-template");
  const dir = pgliteTemplateDir();
  if (!dir || isInitialised(dir)) return;
  const w = new Worker(new URL("./pglite-warm.js", import.meta.url));
  w.unref();
  w.on("error", () => {});
}

function startWorker(
  bundle: string,
  model: AppModel,
  appRoot: string,
  configFile: string | null,
  previousBuild: { databases: string[] } | null,
): Promise<{ worker: Worker; dispatcher: number }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker.js", import.meta.url), {
      workerData: { bundle, model, appRoot, configFile, previousBuild },
    });
    let settled = false;
    worker.once("message", (m: { type: string; dispatcher?: number; message?: string }) => {
      settled = true;
      if (m.type === "ready") resolve({ worker, dispatcher: m.dispatcher! });
      else {
        void worker.terminate();
        reject(new Error(m.message));
      }
    });
    worker.on("error", (e) => {
      if (!settled) {
        settled = true;
        reject(e);
      } else console.error(`reprise: the app worker failed: ${e.stack ?? e.message}`);
    });
  });
}

/** Tells a new build that the previous one has shut down; resolves once it holds the databases and providers. */
function takeOver(worker: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string; message?: string }) => {
      if (m.type === "took-over") done(null);
      else if (m.type === "error") done(new Error(m.message));
    };
    const onExit = (code: number) => done(new Error(`the app worker exited (${code}) while taking over`));
    const done = (e: Error | null) => {
      worker.off("message", onMessage);
      worker.off("exit", onExit);
      if (e) reject(e);
      else resolve();
    };
    worker.on("message", onMessage);
    worker.once("exit", onExit);
    worker.postMessage({ type: "takeover" });
  });
}

/** Lets the worker finish its requests and close its infrastructure (bounded), then ends it. */
function stopWorker(worker: Worker, boundMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      void worker.terminate().then(() => resolve(), () => resolve());
    };
    const timer = setTimeout(done, boundMs);
    worker.once("message", (m: { type: string }) => {
      if (m.type === "drained") done();
    });
    worker.once("exit", done);
    worker.postMessage({ type: "drain" });
  });
}

function watchApp(
  appRoot: string,
  first: AppModel,
  firstBundle: string,
  configFile: string | null,
  current: () => Worker,
  setCurrent: (w: Worker) => void,
  onReloaded: (model: AppModel) => void = () => {},
): FSWatcher {
  let timer: NodeJS.Timeout | null = null;
  let running = false;
  let again = false;
  let model = first;
  let bundleNow = firstBundle;
  /** `onlyIfChanged`: the start-up check, which reloads only when the app's files differ from the served build. */
  const rebuild = async (onlyIfChanged = false) => {
    if (running) {
      // The start-up check is moot while a rebuild (which reads the files afresh) runs.
      if (!onlyIfChanged) again = true;
      return;
    }
    running = true;
    try {
      const started = Date.now();
      mark("reload: change seen");
      const analysed = await prepareApp(appRoot);
      mark("reload: analysed and bundled");
      if (onlyIfChanged && analysed.bundle === bundleNow) return;
      if (analysed.errors.length || !analysed.bundle) {
        console.error(`reprise: not reloading, the app has ${analysed.errors.length} error(s):\n${formatDiagnostics(analysed.errors)}`);
        return;
      }
      const bundle = analysed.bundle;
      const host = await import("reprise/internal/host");
      const old = current();
      // The new build prepares beside the old one, which keeps serving (its databases stay open in it).
      const { worker, dispatcher } = await startWorker(bundle, analysed.model, appRoot, configFile, heldDatabases(model));
      host.reloadModel(analysed.model, appRoot, dispatcher);
      setCurrent(worker);
      bundleNow = bundle;
      model = analysed.model;
      const swapped = Date.now() - started;
      mark("reload: new build serving");
      await stopWorker(old, 5000);
      mark("reload: old build stopped");
      try {
        await takeOver(worker);
      } catch (e) {
        console.error(`reprise: the reloaded app's infrastructure failed to start: ${(e as Error).message}`);
        return;
      }
      try {
        onReloaded(model);
      } catch (e) {
        console.error(`reprise: the dashboard's catalog was not rewritten: ${(e as Error).message}`);
      }
      console.log(`Reloaded in ${Date.now() - started} ms (new build serving after ${swapped} ms)`);
      console.log(endpointTable(model, ""));
    } catch (e) {
      console.error(`reprise: reload failed: ${(e as Error).message}`);
    } finally {
      running = false;
      if (again) {
        again = false;
        void rebuild();
      }
    }
  };
  const watcher = watch(appRoot, { recursive: true }, (_event, file) => {
    const f = String(file ?? "");
    if (/(^|\/)(node_modules|\.reprise|\.git|dist|encore\.gen|reprise\.gen)(\/|$)/.test(f)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void rebuild(), 80);
  });
  // Node's recursive watcher on Linux sets up its per-folder watches asynchronously: an edit in the first moments
  // can go unseen. Once they are in place, compare the app's files with the served build (a cache lookup).
  setTimeout(() => void rebuild(true), 1500).unref();
  return watcher;
}
