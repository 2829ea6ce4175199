/**
 * The app model, version 1: the one contract between the analyzer and everything that reads it
 * (language server, CLI, runtime, diagram, API explorer). Documented in docs/app-model.md; JSON Schema in
 * protocol/schema/app-model.v1.schema.json.
 *
 * Conventions: `file` paths are relative to the app root and use `/`; lines and characters are 0-based
 * (LSP convention, characters are UTF-16 code units). Arrays are always present (possibly empty).
 */

export const APP_MODEL_VERSION = 1 as const;

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Location {
  file: string;
  range: Range;
}

export type Severity = "error" | "warning" | "info" | "hint";

export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
  /** The file does not exist yet: create it, then insert `newText` (range 0:0-0:0). Added within version 1. */
  create?: boolean;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix a client may apply with one keystroke. */
  isPreferred?: boolean;
}

export interface RelatedInformation {
  location: Location;
  message: string;
}

export interface Diagnostic {
  /** Stable literal code from the catalogue, e.g. "RP1203". Never renumbered. */
  code: string;
  severity: Severity;
  /** What is wrong and how to fix it. */
  message: string;
  file: string;
  range: Range;
  related: RelatedInformation[];
  fixes: Fix[];
}

/**
 * A JSON Schema (2020-12) object. Request schemas carry the Reprise extension keyword
 * `x-reprise-source` on each top-level property: "path" | "query" | "header" | "cookie" | "body" | "httpStatus"
 * (responses) | "attribute" (pub/sub messages), see docs/schemas.md,
 * and `x-reprise-name` with the wire name when it differs from the property name (header / query / cookie).
 * See docs/app-model.md, "Schemas".
 */
export type JSONSchema = { [keyword: string]: unknown };

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS" | "TRACE" | "CONNECT" | "*";

export type StreamingKind = "in" | "out" | "inout";

export interface PathSegment {
  type: "literal" | "param" | "wildcard" | "fallback";
  value: string;
  /** For params: the type the param is decoded to. */
  valueType?: "string" | "int" | "boolean";
}

export interface StaticAssets {
  /** Directory relative to the app root. */
  dir: string;
  notFound: string | null;
  notFoundStatus: number;
}

export interface Endpoint {
  name: string;
  service: string;
  /** Always an array; ["*"] means any method. */
  method: HttpMethod[];
  path: string;
  pathSegments: PathSegment[];
  expose: boolean;
  auth: boolean;
  raw: boolean;
  streaming: StreamingKind | null;
  static: StaticAssets | null;
  /** Bytes; null = unlimited. */
  bodyLimit: number | null;
  tags: string[];
  sensitive: boolean;
  doc: string | null;
  /** Whether the declaring variable is exported (the runtime needs it to load the handler). */
  exported: boolean;
  request: JSONSchema | null;
  response: JSONSchema | null;
  handshake: JSONSchema | null;
  location: Location;
}

export interface ServiceCall {
  /** The called endpoint. */
  service: string;
  endpoint: string;
  /** Range of the `svc.endpoint` member expression at the call site. */
  location: Location;
}

export interface PublishSite {
  topic: string;
  location: Location;
}

export interface Middleware {
  name: string | null;
  target: { auth?: boolean; expose?: boolean; tags?: string[] } | null;
  location: Location;
}

export interface Service {
  name: string;
  /** Directory relative to the app root ("" for the root itself). */
  dir: string;
  /** The encore.service.ts / reprise.service.ts file, or null for a weak (implicit) service root. */
  file: string | null;
  location: Location | null;
  doc: string | null;
  endpoints: Endpoint[];
  /** Names of the databases this service uses. */
  databases: string[];
  /** Names of the topics this service publishes to. */
  publishes: string[];
  publishSites: PublishSite[];
  calls: ServiceCall[];
  buckets: { bucket: string; operations: string[] }[];
  secrets: string[];
  middleware: Middleware[];
}

export interface Migration {
  file: string;
  number: number;
  name: string;
}

export interface Database {
  name: string;
  /** The service whose folder declares it (null when declared outside services). */
  service: string | null;
  migrations: { dir: string | null; files: Migration[] };
  location: Location;
}

export interface RetryPolicy {
  /** Durations are in milliseconds. */
  minBackoffMs: number;
  maxBackoffMs: number;
  maxRetries: number;
}

export interface Subscription {
  name: string;
  topic: string;
  service: string;
  ackDeadlineMs: number;
  messageRetentionMs: number;
  maxConcurrency: number | null;
  retryPolicy: RetryPolicy;
  location: Location;
}

export interface Topic {
  name: string;
  /** The service whose folder declares it (null when declared outside services). */
  service: string | null;
  deliveryGuarantee: "at-least-once" | "exactly-once";
  orderingAttribute: string | null;
  message: JSONSchema | null;
  publishers: { service: string; location: Location }[];
  subscriptions: Subscription[];
  location: Location;
}

export interface CronJob {
  name: string;
  title: string;
  every: string | null;
  schedule: string | null;
  endpoint: { service: string; name: string } | null;
  location: Location;
}

export interface Bucket {
  name: string;
  public: boolean;
  versioned: boolean;
  service: string | null;
  location: Location;
}

export interface Secret {
  name: string;
  service: string | null;
  location: Location;
}

export interface AuthHandler {
  service: string;
  name: string;
  params: JSONSchema | null;
  authData: JSONSchema | null;
  location: Location;
}

export interface Gateway {
  name: string;
  service: string | null;
  authHandler: string | null;
  location: Location;
}

/** Kinds of infrastructure names that rename and references follow (see `NameSite`). */
export type NamedKind = "service" | "endpoint" | "topic" | "subscription" | "database" | "bucket" | "cron" | "secret" | "gateway";

/**
 * One place in the source where an infrastructure name is spelled: the exact range of the name literal (with its
 * quotes), identifier or client import, so an editor can rename or list it. Added within version 1 (optional on
 * the wire; the analyser always fills it).
 */
export interface NameSite {
  kind: NamedKind;
  /** The name; for endpoints the endpoint's name (with `service` set to its service). */
  name: string;
  /** For endpoints: the service that declares it; for subscriptions: the topic; else null. */
  scope: string | null;
  /** `declaration`: where the thing is named; `reference`: a use by name (named refs, clients, cron endpoints). */
  role: "declaration" | "reference";
  /**
   * How the name is written here: `string` (a string literal, range includes the quotes), `identifier` (an
   * identifier equal to the name), `client` (a clients-module identifier: the service name with `-` → `_`),
   * `import-alias` (a named import `{ name }` of an endpoint: a rename writes `{ newName as name }`).
   */
  form: "string" | "identifier" | "client" | "import-alias";
  location: Location;
}

/**
 * CORS settings from the app file's `global_cors` (encore.app or reprise.app), as Encore reads them. `null`
 * origin lists mean "not set": without credentials any origin is allowed, with credentials none.
 */
export interface Cors {
  allowOriginsWithoutCredentials: string[] | null;
  allowOriginsWithCredentials: string[] | null;
  /** Extra request headers browsers may send (`"*"` mirrors whatever the preflight asks for). */
  allowHeaders: string[];
  /** Extra response headers browsers may read. */
  exposeHeaders: string[];
  debug: boolean;
}

export interface App {
  id: string;
  services: Service[];
  databases: Database[];
  topics: Topic[];
  cronJobs: CronJob[];
  buckets: Bucket[];
  secrets: Secret[];
  authHandler: AuthHandler | null;
  gateway: Gateway | null;
  /** Every place an infrastructure name is spelled (declarations and references), sorted by file and position. */
  names?: NameSite[];
  /** Present when the app file has `global_cors`. */
  cors?: Cors;
}

export interface AppModel {
  version: typeof APP_MODEL_VERSION;
  app: App;
  diagnostics: Diagnostic[];
}
