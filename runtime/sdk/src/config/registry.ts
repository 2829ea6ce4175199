/**
 * Process-wide registry of the infrastructure an app declared (databases, subscriptions, cron jobs) and of the
 * started providers. Kept on globalThis so that two copies of the SDK in one process (an app bundle and the
 * runtime host) still share one PGlite instance per database and one set of subscriptions.
 */
/** The parts of the app model (protocol/src/app-model.ts, v1) the infrastructure start-up reads. */
export interface InfraModel {
  app: {
    services: { name: string; dir: string; publishes: string[] }[];
    databases: { name: string; service: string | null; migrations: { dir: string | null; files: { file: string; number: number; name: string }[] } }[];
    topics: {
      name: string;
      publishers: { service: string }[];
      subscriptions: {
        name: string;
        topic: string;
        service: string;
        ackDeadlineMs: number;
        messageRetentionMs: number;
        maxConcurrency: number | null;
        retryPolicy: { minBackoffMs: number; maxBackoffMs: number; maxRetries: number };
      }[];
    }[];
    cronJobs: { name: string; title: string; every: string | null; schedule: string | null; endpoint: { service: string; name: string } | null }[];
    buckets: { name: string; public: boolean }[];
    secrets: { name: string; service: string | null }[];
  };
}

export interface RegisteredSubscription {
  topic: string;
  name: string;
  handler: (msg: unknown) => unknown;
  config: Record<string, unknown>;
  started: boolean;
}

export interface RegisteredCron {
  name: string;
  title: string;
  every?: string;
  schedule?: string;
  endpoint: unknown;
}

export interface InfraState {
  appRoot: string | null;
  configFile: string | null;
  model: InfraModel | null;
  config: ResolvedConfig | null;
  started: Promise<ResolvedConfig> | null;
  subscriptions: Map<string, RegisteredSubscription>;
  crons: Map<string, RegisteredCron>;
  databases: Map<string, { migrationsDir: string | null; declaredIn: string | null }>;
  drivers: Map<string, Promise<unknown>>;
}

/** The runtime config as resolved by Rust (runtime/infra/src/config.rs, `RuntimeConfig`). */
export interface ResolvedConfig {
  env: string;
  file: string | null;
  appRoot: string;
  sql: { server: string | null; dataDir: string; maxConnections: number; databases: Record<string, { connectionString: string; maxConnections: number }> };
  pubsub: { provider: "memory" | "nats"; url: string | null; streamPrefix: string };
  buckets: { provider: "filesystem" | "s3"; root: string; publicBaseUrl: string | null; bucketPrefix: string };
  secrets: Record<string, string>;
  tracing: { exporter: "none" | "stdout" | "otlp"; endpoint: string | null; sampleRate: number };
}

const KEY = Symbol.for("reprise.infra.state");

export function state(): InfraState {
  const g = globalThis as unknown as Record<symbol, InfraState | undefined>;
  let s = g[KEY];
  if (!s) {
    s = {
      appRoot: null,
      configFile: null,
      model: null,
      config: null,
      started: null,
      subscriptions: new Map(),
      crons: new Map(),
      databases: new Map(),
      drivers: new Map(),
    };
    g[KEY] = s;
  }
  return s;
}

/** The file that called into the SDK (first stack frame outside it), used to resolve relative paths. */
export function callerFile(): string | null {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, callerFile);
  for (const line of (holder.stack ?? "").split("\n").slice(1)) {
    const m = /\((?:file:\/\/)?(\/[^)]+?):\d+:\d+\)$/.exec(line) ?? /at (?:file:\/\/)?(\/\S+?):\d+:\d+$/.exec(line);
    if (!m) continue;
    const f = m[1]!;
    if (f.includes("/runtime/sdk/") || f.includes("/node_modules/reprise/") || f.startsWith("node:")) continue;
    return f;
  }
  return null;
}
