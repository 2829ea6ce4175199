/**
 * Infrastructure start-up: the one function the runtime (`reprise run`) calls after loading the app's modules
 * and before serving. It validates the runtime config (errors name the key), checks that every secret the app
 * model lists resolves, applies each database's migrations, starts subscriptions and cron timers. Anything
 * wrong stops start-up with a typed error; nothing is served half-configured.
 *
 * `prepareInfra` + `takeOver` split start-up for a reload that overlaps the previous build (`reprise run
 * --watch`): the process-wide providers (Rust) and embedded databases belong to one build at a time, so the new
 * build opens only what the old one does not hold, starts serving, and takes the rest over once the old one
 * shut down.
 */
import { join } from "node:path";
import { native, nativeCode } from "./native.js";
import { InfraError } from "./errors.js";
import { state, type InfraModel, type ResolvedConfig } from "./registry.js";
import { checkSecrets } from "./secrets.js";

export interface StartInfraOptions {
  appRoot: string;
  /** The app model (protocol/src/app-model.ts); used for secrets, migrations, subscription policies, cron. */
  model?: InfraModel | null;
  /** `reprise run --config FILE`; otherwise REPRISE_CONFIG, then reprise.config.json / infra.config.json. */
  configFile?: string | null;
  /** Start cron timers (default true; `reprise cron run` passes false and runs one job). */
  startCron?: boolean;
  /** Receives provider events (retries, dead letters, cron runs); default: JSON lines on stderr. */
  log?: (level: string, message: string, fields: Record<string, unknown>) => void;
}

export interface InfraHandle {
  config: ResolvedConfig;
  runCronJob(name: string): Promise<void>;
  cronStatus(): { name: string; running: boolean; nextRun: string | null }[];
  shutdown(): Promise<void>;
}

/** Validates the runtime config only (no connections); throws InfraError RP_CONFIG naming the key. */
export function loadRuntimeConfig(appRoot: string, configFile?: string | null): ResolvedConfig {
  try {
    return JSON.parse(native().infraLoadConfig(appRoot, configFile ?? undefined)) as ResolvedConfig;
  } catch (e) {
    throw configError(e);
  }
}

function configError(e: unknown): Error {
  if (e instanceof InfraError) return e;
  const { code, message } = nativeCode(e);
  if (code === "ConfigError") return new InfraError("RP_CONFIG", message);
  if (code === "PubSubConnect") return new InfraError("RP_PUBSUB", message);
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Providers without the start-up checks: what SQLDatabase, Topic, Bucket and secret() use when the app runs
 * outside `reprise run` (a script, a test). App root = REPRISE_APP_ROOT or the working directory.
 */
export function ensureProviders(): Promise<ResolvedConfig> {
  const s = state();
  if (!s.started) {
    const appRoot = s.appRoot ?? process.env.REPRISE_APP_ROOT ?? process.cwd();
    s.appRoot = appRoot;
    s.started = native()
      .infraInit(appRoot, s.configFile ?? undefined)
      .then((json) => {
        s.config = JSON.parse(json) as ResolvedConfig;
        return s.config;
      })
      .catch((e: unknown) => {
        s.started = null;
        throw configError(e);
      });
  }
  return s.started;
}

export async function startInfra(opts: StartInfraOptions): Promise<InfraHandle> {
  return (await prepareInfra(opts)).takeOver();
}

export interface PrepareInfraOptions extends StartInfraOptions {
  /**
   * Set when an earlier build of the app in this process still serves and owns the providers (`reprise run
   * --watch`): its embedded (PGlite) databases allow one opener, so those named here open at `takeOver`, after
   * the earlier build shut its infrastructure down. Every other database opens and migrates in `prepareInfra`.
   */
  previousBuild?: { databases: string[] } | null;
}

export interface PreparedInfra {
  config: ResolvedConfig;
  /**
   * Finishes start-up: (after an earlier build's `shutdown`) starts the providers afresh, opens and migrates the
   * databases that build held, starts subscriptions and cron. Until then, calls that need the providers wait.
   */
  takeOver(): Promise<InfraHandle>;
  /** Gives up on this build: closes the databases `prepareInfra` opened and leaves the providers alone. */
  abandon(): Promise<void>;
}

/**
 * First half of start-up, safe while an earlier build of the app serves from another thread: validates the
 * config, checks secrets, opens and migrates the databases the earlier build does not hold (all of them when
 * there is none), in parallel.
 */
export async function prepareInfra(opts: PrepareInfraOptions): Promise<PreparedInfra> {
  const s = state();
  s.appRoot = opts.appRoot;
  s.configFile = opts.configFile ?? null;
  s.model = opts.model ?? null;
  const n = native();
  const previous = opts.previousBuild ?? null;
  const config = await ensureProviders();

  // Secrets: locally, a warning naming each unset one (they read as ""); elsewhere every one must resolve before
  // anything is served. A reload (previousBuild) does not repeat the warning.
  const warning = checkSecrets(s.model, config);
  if (warning && !previous) console.error(warning);

  // Databases: open each one the model lists and apply its migrations. They are independent, so they start
  // together; the first failure in model order is reported. A held embedded database waits for takeOver.
  // Modules are imported only for the kinds of infrastructure the app has (start-up time).
  const dbs = (s.model?.app.databases ?? []).map((db) => ({ name: db.name, dir: db.migrations.dir == null ? null : join(opts.appRoot, db.migrations.dir) }));
  const sql = dbs.length || s.databases.size ? await import("../storage/sqldb/database.js") : null;
  const migrateDatabase = (name: string, dir: string | null) => sql!.migrateDatabase(name, dir);
  const closeDatabases = async () => {
    await sql?.closeDatabases();
  };
  const held = new Set(previous?.databases ?? []);
  const embedded = (name: string) => !n.infraDatabase(name).connectionString;
  const now = dbs.filter((db) => !held.has(db.name) || !embedded(db.name));
  const later = dbs.filter((db) => !now.includes(db));
  // What the hand-over would otherwise wait for besides opening the held databases: the engine's module.
  if (later.length) await sql!.preloadPGlite();
  try {
    await allInOrder(now.map((db) => migrateDatabase(db.name, db.dir)));
  } catch (e) {
    await closeDatabases();
    throw e;
  }

  // With an earlier build still owning the providers, calls that need them wait for takeOver's fresh start.
  let release: ((p: Promise<ResolvedConfig>) => void) | null = null;
  if (previous) {
    const gate = new Promise<ResolvedConfig>((r) => (release = r));
    gate.catch(() => {});
    s.started = gate;
  }
  let tookOver: Promise<InfraHandle> | null = null;
  return {
    config,
    takeOver: () =>
      (tookOver ??= (async () => {
        if (release) {
          // The earlier build shut the providers down (or was ended before it could): start them afresh.
          await n.infraShutdown();
          s.started = null;
          const fresh = ensureProviders();
          (release as (p: Promise<ResolvedConfig>) => void)(fresh);
          await fresh;
        }
        if (opts.log) {
          const log = opts.log;
          n.infraSetLogger((line) => {
            const e = JSON.parse(line) as { level: string; message: string; fields: Record<string, unknown> };
            log(e.level, e.message, e.fields ?? {});
          });
        }
        await allInOrder(later.map((db) => migrateDatabase(db.name, db.dir)));
        // The admin routes' JS half (databases, buckets, pub/sub listings): loaded on the first admin request.
        n.infraAdminSetup((json) => {
          void import("./admin.js").then((a) => a.handleAdminRequest(json));
        });
        // Clients of the databases' wire-protocol sockets (bound before the app loaded) may come in now.
        if (sql) (await import("../storage/sqldb/socket.js")).openDatabaseSockets();
        if (s.subscriptions.size) {
          const { startSubscriptions } = await import("../pubsub/runtime.js");
          await startSubscriptions();
        }
        if (s.crons.size || s.model?.app.cronJobs.length) {
          const { setupCron } = await import("../cron/runtime.js");
          setupCron(opts.startCron ?? true);
        }
        return {
          config: state().config ?? config,
          runCronJob: async (name: string) => {
            const { runCronJob } = await import("../cron/runtime.js");
            return runCronJob(name);
          },
          cronStatus: () => JSON.parse(n.infraCronStatus()) as { name: string; running: boolean; nextRun: string | null }[],
          shutdown: stopInfra,
        };
      })()),
    abandon: async () => {
      release?.(Promise.reject(new InfraError("RP_CONFIG", "this build of the app was replaced before it started")));
      await closeDatabases();
    },
  };
}

/** Awaits every promise; rejects with the first failure in list order (not the first to fail in time). */
async function allInOrder(ps: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(ps);
  for (const r of results) if (r.status === "rejected") throw r.reason;
}

/** Stops subscriptions and cron, closes databases and caches, exports metrics a last time. Safe to call twice. */
export async function stopInfra(): Promise<void> {
  const s = state();
  const drivers = [...s.drivers.values()];
  s.drivers.clear();
  if ((s as { dbSockets?: Map<string, unknown> }).dbSockets?.size) await (await import("../storage/sqldb/socket.js")).closeDatabaseSockets();
  if ((s as { caches?: Map<string, unknown> }).caches?.size) await (await import("../storage/cache/cluster.js")).closeCaches();
  if ((globalThis as Record<symbol, unknown>)[Symbol.for("reprise.metrics.registry")]) await (await import("../metrics/registry.js")).shutdownMetrics();
  for (const sub of s.subscriptions.values()) sub.started = false;
  if (s.started) {
    s.started = null;
    await native().infraShutdown();
  }
  await Promise.allSettled(drivers.map(async (d) => (await (d as Promise<{ close(): Promise<void> }>)).close()));
}
