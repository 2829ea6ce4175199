/**
 * Process-wide registry of the infrastructure an app declared (databases, subscriptions, cron jobs) and of the
 * started providers. Kept on globalThis so that two copies of the SDK in one process (an app bundle and the
 * runtime host) still share one PGlite instance per database and one set of subscriptions.
 */
import type {
  Bucket as ModelBucket,
  CronJob as ModelCronJob,
  Database as ModelDatabase,
  Secret as ModelSecret,
  Service as ModelService,
  Subscription as ModelSubscription,
  Topic as ModelTopic,
} from "@reprise/protocol";

/**
 * The parts of the app model (`@reprise/protocol`'s `AppModel`, v1) the infrastructure start-up reads, picked from
 * the protocol's own types so they cannot drift: a whole `AppModel` is an `InfraModel`, and tests may pass a model
 * holding only these fields.
 */
export interface InfraModel {
  app: {
    services: Pick<ModelService, "name" | "dir" | "publishes">[];
    databases: Pick<ModelDatabase, "name" | "service" | "migrations">[];
    topics: (Pick<ModelTopic, "name"> & {
      publishers: Pick<ModelTopic["publishers"][number], "service">[];
      subscriptions: Omit<ModelSubscription, "location">[];
    })[];
    cronJobs: Omit<ModelCronJob, "location">[];
    buckets: Pick<ModelBucket, "name" | "public">[];
    secrets: Pick<ModelSecret, "name" | "service">[];
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
  /** `migrationsSource`: how the folder is laid out (`default` = N_name.up.sql files; ORM layouts as Encore reads them). */
  databases: Map<string, { migrationsDir: string | null; declaredIn: string | null; migrationsSource?: MigrationSource }>;
  drivers: Map<string, Promise<unknown>>;
}

export type MigrationSource = "default" | "prisma" | "drizzle" | "drizzle/v1";

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
  cache: { provider: "memory" | "redis"; url: string | null; keyPrefix: string; clusters: Record<string, { url?: string | null; keyPrefix?: string | null }> };
  metrics: { endpoint: string | null; intervalSeconds: number };
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
