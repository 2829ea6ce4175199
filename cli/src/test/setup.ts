/**
 * Loaded with `--import` into every test process `reprise test` starts (node --test runs each test file in its own
 * process; a vitest worker runs it as a setup file). It gives the process its own infrastructure and the app:
 *
 * 1. opens its own in-memory copy of each migrated template database the parent dumped (a tar per database,
 *    loaded with PGlite's `loadDataDir`; nothing is copied on disk): the isolation rule, one set of databases per
 *    test process, shared by the tests of that process;
 * 2. loads the app's modules through the TypeScript/alias hooks (hooks.ts), installs them in the runtime,
 *    starts the infrastructure (in-process pub/sub, a bucket folder of its own, secrets as `reprise run` resolves
 *    them; cron timers stay off, `runCronJob` runs a job) and binds the runtime to an ephemeral loopback port;
 * 3. routes a test's direct endpoint calls through the runtime (validation, auth with the data set by
 *    `reprise/testing`'s `setAuthData`, middleware, APIError codes).
 *
 * The state comes from the parent in the file named by REPRISE_TEST_STATE (see run.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { AppModel } from "@reprise/protocol";
import type { PathAlias } from "@reprise/analyzer/resolve";

export interface TestState {
  appRoot: string;
  modelFile: string;
  clientsFile: string;
  entryFile: string;
  sdkRoot: string;
  /** The migrated databases, each a data-directory tar (PGlite `dumpDataDir`), by database name. */
  templateDumps: Record<string, string>;
  /** The runtime config every test process starts from (secrets resolved by the parent). */
  config: Record<string, unknown>;
  tmpDir: string;
  /** The app's tsconfig.json `paths` aliases (targets relative to the app root). */
  aliases: PathAlias[];
}

const isRunnerParent = process.env.NODE_TEST_CONTEXT == null && process.execArgv.includes("--test");
const stateFile = process.env.REPRISE_TEST_STATE;

if (stateFile && !isRunnerParent) await setUp(JSON.parse(readFileSync(stateFile, "utf8")) as TestState);

async function setUp(st: TestState): Promise<void> {
  register(new URL("./hooks.js", import.meta.url), { data: { sdkRoot: st.sdkRoot, clientsFile: st.clientsFile, appRoot: st.appRoot, aliases: st.aliases } });
  const own = join(st.tmpDir, `p${process.pid}`);
  const dbDir = join(own, "db");
  mkdirSync(join(own, "buckets"), { recursive: true });
  const configFile = join(own, "reprise.config.json");
  writeFileSync(configFile, JSON.stringify({ ...st.config, sql: { dataDir: dbDir }, buckets: { root: join(own, "buckets") } }));

  const model = JSON.parse(readFileSync(st.modelFile, "utf8")) as AppModel;
  const [host, config, clients, context, testing, hooksMod] = await Promise.all([
    import("reprise/internal/host"),
    import("reprise/config"),
    import("reprise/internal/clients"),
    import("reprise/internal/context"),
    import("reprise/testing"),
    import("reprise/internal/test-hooks"),
  ]);
  let app: { endpoints: unknown[]; authHandler?: unknown };
  try {
    process.setSourceMapsEnabled(true);
    app = (await import(pathToFileURL(st.entryFile).href)) as typeof app;
  } catch (e) {
    fail(`loading the app's modules failed: ${(e as Error).stack ?? e}`);
  }
  const index = new Map<unknown, number>();
  app.endpoints.forEach((fn, i) => index.set(fn, i));
  let appHost: ReturnType<typeof host.installApp>;
  try {
    appHost = host.installApp({ model, endpoints: app.endpoints, authHandler: app.authHandler });
  } catch (e) {
    fail((e as Error).message);
  }
  if (model.app.cronJobs.length) {
    const { setEndpointCaller } = await import("reprise/cron");
    const eps = host.modelEndpoints(model);
    setEndpointCaller(async (service: string, name: string) => {
      const i = eps.findIndex((e) => e.service === service && e.name === name);
      if (i < 0) throw new Error(`cron: endpoint ${service}.${name} is not in the app model`);
      await clients.callEndpoint(i, undefined);
    });
  }
  // Each database the template has opens in memory from its tar (any other one in this process's own folder),
  // before the first test runs: opening one inside a test would count against the runner's per-test timeout.
  const timings = process.env.REPRISE_TIMINGS === "1";
  const databaseDump = async (name: string): Promise<Blob | null> => {
    const file = Object.hasOwn(st.templateDumps, name) ? st.templateDumps[name] : undefined;
    if (!file) return null;
    const started = performance.now();
    const blob = new Blob([await readFile(file)]);
    if (timings) console.error(`reprise test: database ${name} cloned in ${Math.round(performance.now() - started)} ms (its ${(blob.size / 1e6).toFixed(1)} MB template read into memory)`);
    return blob;
  };
  hooksMod.setTestHooks({ databaseDump });
  let infra: Awaited<ReturnType<typeof config.startInfra>>;
  const opening = performance.now();
  try {
    infra = await config.startInfra({ appRoot: st.appRoot, model, configFile, startCron: false });
    await host.startServer({ model, appRoot: st.appRoot, port: 0, host: "127.0.0.1" });
  } catch (e) {
    fail((e as Error).message);
  }
  if (timings) console.error(`reprise test: infrastructure started in ${Math.round(performance.now() - opening)} ms`);
  hooksMod.setTestHooks({
    databaseDump,
    call(fn, params) {
      if (context.currentState()) return null;
      const i = index.get(fn);
      if (i === undefined) return null;
      const double = testing.testingState().doubles.get(fn);
      if (double) return Promise.resolve().then(() => double(params));
      return clients.callEndpoint(i, params, { authData: testing.testingState().authData ?? undefined });
    },
    double(i) {
      const fn = app.endpoints[i];
      return fn ? testing.testingState().doubles.get(fn as object) : undefined;
    },
    published: testing.observePublished,
    delivered: testing.observeDelivered,
  });

  // The runtime's dispatcher keeps the event loop alive: release it once the file's tests are done.
  const shutdown = async () => {
    hooksMod.setTestHooks(undefined);
    await host.shutdownServer(1000).catch(() => 0);
    await infra.shutdown().catch(() => {});
    appHost.uninstall();
  };
  if (process.env.NODE_TEST_CONTEXT != null) {
    const { after } = await import("node:test");
    after(shutdown);
  } else {
    (globalThis as Record<symbol, unknown>)[Symbol.for("reprise.testShutdown")] = shutdown;
  }
}

function fail(message: string): never {
  console.error(`reprise test: the app failed to start in a test process: ${message}`);
  process.exit(1);
}
