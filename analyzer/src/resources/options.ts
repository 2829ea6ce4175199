/**
 * The options each declaration's parser accepts, with what an editor shows for them: the one list. The parsers
 * decode exactly these keys (`optionKeys`), and the language server's completion offers them with their docs and,
 * where the set is closed, their values. Adding an option to a parser means adding it here.
 */

export interface OptionSpec {
  /** One line for completion: what the option does and its default. */
  doc: string;
  /** The values an editor offers, where the set is closed or has common choices. */
  values?: readonly string[];
  /** The values are written as string literals. */
  quoted?: boolean;
  /** Accepted only by `api.static` (not offered inside other `api` options). */
  staticOnly?: boolean;
}

export type OptionsOf = "api" | "cron" | "subscription" | "topic" | "database" | "bucket";

const BOOL = ["true", "false"];
const DURATIONS = ["1s", "10s", "30s", "1m", "5m", "10m", "1h", "24h", "7d"];

export const OPTION_SPECS: Readonly<Record<OptionsOf, Readonly<Record<string, OptionSpec>>>> = {
  api: {
    method: { doc: 'HTTP method(s): "GET", "POST", … or "*" for any. Default "POST".', values: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"], quoted: true },
    path: { doc: "URL path, starting with /. Segments `:name` are path params, `*name` a wildcard. Default /<service>.<endpoint>." },
    expose: { doc: "Reachable from outside the app. Default false (private).", values: BOOL },
    auth: { doc: "Requires a valid auth handler result (401 otherwise). Default false.", values: BOOL },
    bodyLimit: { doc: "Maximum request body size in bytes; null = unlimited. Default 2 MiB." },
    tags: { doc: "Tags for middleware targeting and client generation." },
    sensitive: { doc: "Redact payloads and headers from traces.", values: BOOL },
    dir: { doc: "Folder the static files are served from.", staticOnly: true },
    notFound: { doc: "File served when no file matches.", staticOnly: true },
    notFoundStatus: { doc: "Status of the notFound answer.", staticOnly: true },
    headers: { doc: "Headers added to every static response.", staticOnly: true },
  },
  cron: {
    title: { doc: "Human-readable title. Defaults to the id." },
    every: { doc: "Interval: a multiple of one minute, at most 24h (exclusive with schedule).", values: ["1m", "5m", "10m", "15m", "30m", "1h", "2h", "6h", "12h", "24h"], quoted: true },
    schedule: { doc: "Cron expression, five fields in UTC (exclusive with every).", values: ["0 * * * *", "0 0 * * *", "*/15 * * * *", "0 9 * * 1-5"], quoted: true },
    endpoint: { doc: "The api() endpoint to call." },
  },
  subscription: {
    handler: { doc: "Function receiving each message; throwing retries it." },
    ackDeadline: { doc: "Time the handler has before the message is redelivered. Default 30s.", values: DURATIONS, quoted: true },
    messageRetention: { doc: "How long undelivered messages are kept. Default 7d.", values: DURATIONS, quoted: true },
    maxConcurrency: { doc: "Maximum messages handled at once (non-negative integer)." },
    retryPolicy: { doc: "{ minBackoff, maxBackoff, maxRetries }. Defaults 10s, 10m, 100." },
  },
  topic: {
    deliveryGuarantee: { doc: "Delivery guarantee.", values: ["at-least-once", "exactly-once"], quoted: true },
    orderingAttribute: { doc: "Name of an Attribute<> field messages are ordered by." },
  },
  database: {
    migrations: { doc: 'Folder of numbered .up.sql migrations, e.g. "./migrations".', values: ["./migrations"], quoted: true },
  },
  bucket: {
    public: { doc: "Objects are publicly readable.", values: BOOL },
    versioned: { doc: "Keep every version of each object.", values: BOOL },
  },
};

/** The option keys a declaration's parser decodes. */
export function optionKeys(of: OptionsOf): readonly string[] {
  return Object.keys(OPTION_SPECS[of]);
}
