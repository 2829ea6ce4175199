/**
 * The data side of a running app's admin routes (issue 22, the local development dashboard): databases, their
 * migrations, buckets, pub/sub subscriptions and dead letters, and the app model. Served by the runtime under
 * `/__reprise/admin/` behind the tool routes' gate (tool-routes.ts: loopback `Host`, no foreign `Origin` on a
 * write, `Authorization: Bearer <token>`); read by the CLI, the VS Code views, the browser dashboard and
 * `reprise mcp`. The contract in prose: docs/admin-api.md. Errors are `AdminError` (admin.ts) with an HTTP status.
 *
 * Path segments are percent-encoded with `encodeURIComponent` (the helpers below do it); object keys travel in
 * the `key` query parameter, so a key may hold `/`, `..`, `%` or spaces without changing the route.
 */
import { ADMIN_API_PATH } from "./admin.js";

const seg = encodeURIComponent;

// ---- app model --------------------------------------------------------------------------------------------

/** `GET /__reprise/admin/app` → `AdminAppInfo`: the model the running build was started from. */
export const ADMIN_APP_PATH = `${ADMIN_API_PATH}/app`;

export interface AdminAppInfo {
  /** The app model (`AppModel` of app-model.ts, `version: 1`) of the build that serves. */
  model: unknown;
  /** Its diagnostics (warnings and hints: a build with errors is not served). */
  diagnostics: unknown[];
  /** The app's folder (absolute; the model's relative `location.file`s are below it). Absent from older runtimes. */
  appRoot?: string | null;
}

// ---- databases --------------------------------------------------------------------------------------------

/** `GET /__reprise/admin/databases` → `AdminDatabaseList` */
export const DATABASES_PATH = `${ADMIN_API_PATH}/databases`;

export interface AdminDatabase {
  name: string;
  /** `pglite`: embedded (the default); `postgres`: a server from the runtime config. */
  engine: "pglite" | "postgres";
  /** The migrations folder relative to the app root, or null when the database declares none. */
  migrationsDir: string | null;
}

export interface AdminDatabaseList {
  databases: AdminDatabase[];
}

/** `GET /__reprise/admin/databases/<db>/schema` → `AdminDbSchema` (tables of every schema but the system ones). */
export function dbSchemaPath(db: string): string {
  return `${DATABASES_PATH}/${seg(db)}/schema`;
}

export interface AdminDbColumn {
  name: string;
  /** As Postgres formats it (`format_type`): `integer`, `text`, `character varying(20)`, `jsonb`, ... */
  type: string;
  nullable: boolean;
  /** The default expression's text, or null. */
  default: string | null;
  primaryKey: boolean;
}

export interface AdminDbIndex {
  name: string;
  /** Column names in order (an expression index lists its expressions' text). */
  columns: string[];
  unique: boolean;
  primary: boolean;
  /** `CREATE [UNIQUE] INDEX ...` as Postgres prints it. */
  definition: string;
}

export interface AdminDbTable {
  /** The Postgres schema (`public` for most apps). */
  schema: string;
  name: string;
  kind: "table" | "view" | "materialized view";
  columns: AdminDbColumn[];
  indexes: AdminDbIndex[];
  /** Rows counted up to `ROW_COUNT_CAP`; `rowCountExact` is false when the table holds more (then the count is the cap). */
  rowCount: number;
  rowCountExact: boolean;
}

/** Rows beyond this many are not counted (the count says "10000+"). */
export const ROW_COUNT_CAP = 10_000;

export interface AdminDbSchema {
  database: string;
  tables: AdminDbTable[];
}

/**
 * `GET /__reprise/admin/databases/<db>/tables/<table>/rows?schema=public&offset=0&limit=50&order=<col>&desc=1&filter=...`
 * → `AdminRows`. `filter` repeats; each is `<column>:<op>:<value>` (the column name percent-decoded, split at the
 * first two `:`; the value may hold `:`) with op one of `ADMIN_ROW_FILTER_OPS` (`isnull`/`notnull` take no value).
 * Values are bound as parameters, names are quoted identifiers checked against the table's columns (an unknown
 * table or column is 404 / 400). `limit` ≤ `ROWS_MAX_LIMIT` (default 50).
 */
export function dbRowsPath(db: string, table: string, query: AdminRowsQuery = {}): string {
  const q = new URLSearchParams();
  if (query.schema) q.set("schema", query.schema);
  if (query.offset != null) q.set("offset", String(query.offset));
  if (query.limit != null) q.set("limit", String(query.limit));
  if (query.order) q.set("order", query.order);
  if (query.desc) q.set("desc", "1");
  for (const f of query.filters ?? []) q.append("filter", `${f.column}:${f.op}:${f.value ?? ""}`);
  const qs = q.toString();
  return `${DATABASES_PATH}/${seg(db)}/tables/${seg(table)}/rows${qs ? `?${qs}` : ""}`;
}

export const ADMIN_ROW_FILTER_OPS = ["eq", "ne", "lt", "le", "gt", "ge", "like", "ilike", "isnull", "notnull"] as const;
export type AdminRowFilterOp = (typeof ADMIN_ROW_FILTER_OPS)[number];

export interface AdminRowFilter {
  column: string;
  op: AdminRowFilterOp;
  /** Bound as a text parameter: cast to the column's type for the comparisons, compared with `<column>::text` for like/ilike. */
  value?: string;
}

export interface AdminRowsQuery {
  schema?: string;
  offset?: number;
  limit?: number;
  order?: string;
  desc?: boolean;
  filters?: AdminRowFilter[];
}

export const ROWS_DEFAULT_LIMIT = 50;
export const ROWS_MAX_LIMIT = 1000;

export interface AdminResultColumn {
  name: string;
  /** Postgres type name (`int4`, `text`, ...) when the engine reports it, else null. */
  type: string | null;
}

/** Caps applied to an answer, stated in it. */
export interface AdminCaps {
  /** Most rows returned. */
  rows: number;
  /** Most bytes of JSON-encoded row data returned. */
  bytes: number;
}

export interface AdminRows {
  database: string;
  schema: string;
  table: string;
  columns: AdminResultColumn[];
  /** One array per row, in `columns` order; values as JSON (bigint/numeric as strings, bytea as `\x..` hex, dates as ISO strings). */
  rows: unknown[][];
  offset: number;
  limit: number;
  /** Whether a row exists after this page. */
  hasMore: boolean;
  caps: AdminCaps;
  /** Set when the bytes cap cut the page short (`rows` then holds fewer than `limit`; `hasMore` is true). */
  truncated: "bytes" | null;
}

/** `POST /__reprise/admin/databases/<db>/query` with an `AdminQueryRequest` body → `AdminQueryResult`. */
export function dbQueryPath(db: string): string {
  return `${DATABASES_PATH}/${seg(db)}/query`;
}

export interface AdminQueryRequest {
  /** Exactly one SQL statement (sent with the extended protocol: a second statement is an error). */
  sql: string;
  /** Values for `$1`, `$2`, ... */
  params?: unknown[];
  /**
   * false (default): the statement runs in a `READ ONLY` transaction that is always rolled back, so a write fails
   * (SQLSTATE 25006) and changes nothing. true: it runs in a transaction that commits — a face asks the user
   * to confirm before sending this.
   */
  write?: boolean;
  /** Most rows to return (default and maximum `QUERY_MAX_ROWS`). */
  maxRows?: number;
}

export const QUERY_MAX_ROWS = 1000;
export const QUERY_MAX_BYTES = 1024 * 1024;
/** A statement running longer is cancelled (`statement_timeout`, PostgreSQL servers only). */
export const QUERY_TIMEOUT_MS = 30_000;

export interface AdminQueryResult {
  database: string;
  columns: AdminResultColumn[];
  rows: unknown[][];
  /** Rows the statement returned or changed (before the caps). */
  rowCount: number;
  /** Which cap cut `rows` short, or null when every row is here. */
  truncated: "rows" | "bytes" | null;
  caps: AdminCaps;
  /** Whether it ran read-only (rolled back). */
  readOnly: boolean;
  durationMs: number;
}

/**
 * A failing statement answers 400 `invalid_argument` with these details: Postgres's SQLSTATE, and the 1-based
 * character position in `sql` when Postgres gives one (a read-only violation is SQLSTATE `25006`).
 */
export interface AdminSqlErrorDetails {
  sqlState: string | null;
  position: number | null;
}

// ---- migrations -------------------------------------------------------------------------------------------

/** `GET /__reprise/admin/databases/<db>/migrations` → `AdminMigrationStatus` */
export function dbMigrationsPath(db: string): string {
  return `${DATABASES_PATH}/${seg(db)}/migrations`;
}

/** `POST /__reprise/admin/databases/<db>/migrations/apply` (no body) → `AdminMigrationApply`. */
export function dbMigrationsApplyPath(db: string): string {
  return `${DATABASES_PATH}/${seg(db)}/migrations/apply`;
}

export interface AdminMigration {
  number: number;
  name: string;
  /** File (or `<folder>/migration.sql`) relative to the migrations folder; null for a row whose file is gone. */
  file: string | null;
  state: "applied" | "pending" | "failed";
  /** RFC 3339, for applied ones. */
  appliedAt: string | null;
  /** The error of the last failed attempt in this process (state `failed`). */
  error: string | null;
}

export interface AdminMigrationStatus {
  database: string;
  migrationsDir: string | null;
  migrations: AdminMigration[];
}

export interface AdminMigrationApply {
  database: string;
  /** The migrations this call applied, in order. */
  applied: { number: number; name: string; file: string }[];
  status: AdminMigrationStatus;
}

// ---- buckets ----------------------------------------------------------------------------------------------

/** `GET /__reprise/admin/buckets` → `AdminBucketList` */
export const BUCKETS_PATH = `${ADMIN_API_PATH}/buckets`;

export interface AdminBucket {
  name: string;
  public: boolean;
}

export interface AdminBucketList {
  buckets: AdminBucket[];
}

/**
 * `GET /__reprise/admin/buckets/<bucket>/objects?prefix=&after=&limit=` → `AdminObjectList`: keys in byte order,
 * those after `after` (exclusive), at most `limit` (default 100, max `OBJECTS_MAX_LIMIT`).
 */
export function bucketObjectsPath(bucket: string, query: { prefix?: string; after?: string; limit?: number } = {}): string {
  const q = new URLSearchParams();
  if (query.prefix) q.set("prefix", query.prefix);
  if (query.after) q.set("after", query.after);
  if (query.limit != null) q.set("limit", String(query.limit));
  const qs = q.toString();
  return `${BUCKETS_PATH}/${seg(bucket)}/objects${qs ? `?${qs}` : ""}`;
}

export const OBJECTS_DEFAULT_LIMIT = 100;
export const OBJECTS_MAX_LIMIT = 1000;

export interface AdminObjectEntry {
  key: string;
  size: number;
  etag: string;
}

export interface AdminObjectList {
  bucket: string;
  prefix: string;
  objects: AdminObjectEntry[];
  /** Pass as `after` for the next page; null on the last page. */
  nextAfter: string | null;
}

/**
 * One object, named by the `key` query parameter:
 * - `GET    /__reprise/admin/buckets/<bucket>/object?key=K` → the bytes (`Content-Type` as stored, or
 *   `application/octet-stream`; `Content-Disposition: attachment`; `X-Content-Type-Options: nosniff`;
 *   `Content-Security-Policy: sandbox`), 404 when absent;
 * - `GET    .../object/attrs?key=K` → `AdminObjectAttrs`;
 * - `PUT    .../object?key=K` with the bytes as the body (at most `UPLOAD_MAX_BYTES`; its `Content-Type` is stored;
 *   `If-None-Match: *` refuses to replace, 412) → `AdminObjectAttrs`;
 * - `DELETE .../object?key=K` → 204 (404 when absent).
 */
export function bucketObjectPath(bucket: string, key: string): string {
  return `${BUCKETS_PATH}/${seg(bucket)}/object?key=${seg(key)}`;
}

export function bucketObjectAttrsPath(bucket: string, key: string): string {
  return `${BUCKETS_PATH}/${seg(bucket)}/object/attrs?key=${seg(key)}`;
}

export const UPLOAD_MAX_BYTES = 32 * 1024 * 1024;

export interface AdminObjectAttrs {
  key: string;
  size: number;
  etag: string;
  contentType: string | null;
  version: string | null;
}

// ---- pub/sub ----------------------------------------------------------------------------------------------

/** `GET /__reprise/admin/topics` → `AdminTopicList` (publish: admin.ts `topicPublishPath`). */
export const TOPICS_PATH = `${ADMIN_API_PATH}/topics`;

export interface AdminSubscription {
  name: string;
  /** The service whose handler receives the messages, when the analyser resolved it. */
  service: string | null;
  /** Dead-lettered messages waiting for a redrive. */
  deadLetters: number;
}

export interface AdminTopic {
  name: string;
  subscriptions: AdminSubscription[];
}

export interface AdminTopicList {
  /** `memory` (in-process, the default) or `nats`. */
  provider: string;
  topics: AdminTopic[];
}

/** `GET /__reprise/admin/topics/<topic>/subscriptions/<sub>/dead-letters` → `AdminDeadLetterList` */
export function deadLettersPath(topic: string, subscription: string): string {
  return `${TOPICS_PATH}/${seg(topic)}/subscriptions/${seg(subscription)}/dead-letters`;
}

/**
 * `POST .../dead-letters/<id>/redrive` → `AdminRedrive`: publishes the message again to the topic (every
 * subscription receives it, as Encore's redrive does) and removes the dead letter.
 */
export function redrivePath(topic: string, subscription: string, id: string): string {
  return `${deadLettersPath(topic, subscription)}/${seg(id)}/redrive`;
}

export interface AdminDeadLetter {
  id: string;
  attempts: number;
  error: string;
  /** The message as JSON when it parses, else its text. */
  message: unknown;
}

export interface AdminDeadLetterList {
  topic: string;
  subscription: string;
  messages: AdminDeadLetter[];
}

export interface AdminRedrive {
  /** The id of the message published again. */
  messageId: string;
}
