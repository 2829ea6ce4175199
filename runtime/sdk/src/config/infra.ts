/**
 * Infrastructure start-up: the one function the runtime (`reprise run`) calls after loading the app's modules
 * and before serving. It validates the runtime config (errors name the key), checks that every secret the app
 * model lists resolves, applies each database's migrations, starts subscriptions and cron timers. Anything
 * wrong stops start-up with a typed error; nothing is served half-configured.
 */
import { join } from "node:path";
import { native, nativeCode } from "./native.js";
import { InfraError } from "./errors.js";
import { state, type InfraModel, type ResolvedConfig } from "./registry.js";

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
  const s = state();
  s.appRoot = opts.appRoot;
  s.configFile = opts.configFile ?? null;
  s.model = opts.model ?? null;
  const n = native();
  if (opts.log) {
    const log = opts.log;
    n.infraSetLogger((line) => {
      const e = JSON.parse(line) as { level: string; message: string; fields: Record<string, unknown> };
      log(e.level, e.message, e.fields ?? {});
    });
  }
  const config = await ensureProviders();

  // Secrets: every secret the analyser found must resolve before anything is served.
  const missing: string[] = [];
  for (const sec of s.model?.app.secrets ?? []) {
    if (n.infraSecret(sec.name) == null) {
      missing.push(`"${sec.name}" (used by service "${sec.service ?? "?"}")`);
    }
  }
  if (missing.length) {
    const where = config.file ? `secrets in ${config.file}` : "secrets in reprise.config.json";
    throw new InfraError(
      "RP_SECRET_MISSING",
      `missing secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: set REPRISE_SECRET_<Name> or ${where}`,
    );
  }

  // Databases: open each one the model lists and apply its migrations, in model order.
  const { migrateDatabase } = await import("../storage/sqldb/database.js");
  for (const db of s.model?.app.databases ?? []) {
    const dir = db.migrations.dir == null ? null : join(opts.appRoot, db.migrations.dir);
    await migrateDatabase(db.name, dir);
  }

  const { startSubscriptions } = await import("../pubsub/runtime.js");
  await startSubscriptions();
  const { setupCron } = await import("../cron/runtime.js");
  setupCron(opts.startCron ?? true);

  return {
    config,
    runCronJob: async (name) => {
      const { runCronJob } = await import("../cron/runtime.js");
      return runCronJob(name);
    },
    cronStatus: () => JSON.parse(n.infraCronStatus()) as { name: string; running: boolean; nextRun: string | null }[],
    shutdown: stopInfra,
  };
}

/** Stops subscriptions and cron, closes databases. Safe to call twice. */
export async function stopInfra(): Promise<void> {
  const s = state();
  const drivers = [...s.drivers.values()];
  s.drivers.clear();
  for (const sub of s.subscriptions.values()) sub.started = false;
  if (s.started) {
    s.started = null;
    await native().infraShutdown();
  }
  await Promise.allSettled(drivers.map(async (d) => (await (d as Promise<{ close(): Promise<void> }>)).close()));
}
