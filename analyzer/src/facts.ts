/**
 * What one file contributes to the app, extracted once per file version and cached by the Analyzer. Facts hold
 * no references to other files: cross-file questions (which topic does this subscription use? which service
 * owns this file?) are answered by the link step from the facts of all files.
 */
import type { Diagnostic, HttpMethod, Location, PathSegment, Position, Range, StreamingKind } from "@reprise/protocol";
import type { Node } from "./ast.js";

export type ResourceKind =
  | "endpoint" | "service" | "database" | "topic" | "subscription" | "cron" | "secret" | "bucket"
  | "authHandler" | "gateway" | "middleware" | "namedRef";

/** A reference to a resource declared in some file: file path + kind + index in that file's list. */
export interface ResourceRef {
  file: string;
  kind: ResourceKind;
  index: number;
}

/** Where a local name in a file comes from. */
export type LocalBinding =
  | { type: "resource"; ref: ResourceRef }
  | { type: "import"; specifier: string; imported: string /* "default" | "*" | name */ };

export interface DeclBase {
  /** Variable the resource is bound to (null when unbound, "default" for `export default`). */
  bindName: string | null;
  exported: boolean;
  location: Location;
  /** Range of the name argument (for naming diagnostics and "defined here" notes). */
  nameRange: Range;
  /** Range of the bound identifier (`const <name> = ...`); null when unbound, destructured or `export default`. */
  bindRange: Range | null;
  doc: string | null;
  inFunction: boolean;
  /** Start of the top-level statement binding it (for "add export" fixes); null inside functions. */
  statementStart: Position | null;
}

export interface EndpointDecl extends DeclBase {
  name: string;
  kind: "api" | "raw" | "streamIn" | "streamOut" | "streamInOut" | "static";
  methods: HttpMethod[];
  /** Explicit path, already validated; null = default `/<service>.<name>`. */
  path: string | null;
  segments: PathSegment[] | null;
  pathRange: Range | null;
  expose: boolean;
  auth: boolean;
  authRange: Range | null;
  bodyLimit: number | null;
  tags: string[];
  sensitive: boolean;
  static: { dir: string; dirRange: Range; notFound: string | null; notFoundRange: Range | null; notFoundStatus: number } | null;
  /** Type nodes handed to the schema builder. */
  requestType: Node | null;
  responseType: Node | null;
  handshakeType: Node | null;
  /** A request exists (annotated or via type args) even when the type node is not schema-buildable. */
  hasRequest: boolean;
}

export interface ServiceDecl extends DeclBase {
  name: string;
  /** Middleware references: identifiers (resolved at link) or inline middleware indexes. */
  middlewares: { name: string | null; inline: number | null; range: Range }[];
}

export interface DatabaseDecl extends DeclBase {
  name: string;
  migrations: { path: string; source: "default" | "prisma" | "drizzle" | "drizzle/v1"; range: Range } | null;
}

export interface NamedRefDecl {
  kind: "database" | "bucket";
  name: string;
  bindName: string | null;
  range: Range;
}

export interface TopicDecl extends DeclBase {
  name: string;
  deliveryGuarantee: "at-least-once" | "exactly-once";
  orderingAttribute: string | null;
  orderingRange: Range | null;
  messageType: Node | null;
}

export interface SubscriptionDecl extends DeclBase {
  name: string;
  /** Local identifier naming the topic (resolved at link), or null when not an identifier. */
  topicIdent: string | null;
  /** For `new Subscription(ns.topic, ...)`: the member after a namespace import. */
  topicMember: string | null;
  topicRange: Range;
  ackDeadlineMs: number;
  messageRetentionMs: number;
  maxConcurrency: number | null;
  retryPolicy: { minBackoffMs: number; maxBackoffMs: number; maxRetries: number };
}

export interface CronDecl extends DeclBase {
  name: string;
  title: string;
  every: string | null;
  schedule: string | null;
  endpointIdent: string | null;
  endpointMember: string | null;
  endpointRange: Range | null;
}

export interface SecretDecl extends DeclBase {
  name: string;
}

export interface BucketDecl extends DeclBase {
  name: string;
  public: boolean;
  versioned: boolean;
}

export interface AuthHandlerDecl extends DeclBase {
  name: string;
  paramsType: Node | null;
  authDataType: Node | null;
}

export interface GatewayDecl extends DeclBase {
  name: string;
  authIdent: string | null;
  authMember: string | null;
  authRange: Range | null;
}

export interface MiddlewareDecl extends DeclBase {
  name: string | null;
  target: { auth?: boolean; expose?: boolean; tags?: string[] } | null;
}

/** `svc.endpoint(...)` through a clients import. */
export interface ClientCall {
  /** The client identifier as imported (service name with `-` → `_`). */
  client: string;
  clientRange: Range;
  endpoint: string | null;
  endpointRange: Range | null;
  /** Range of the member expression `svc.endpoint`. */
  range: Range;
  form: "call" | "ref" | "invalid";
  /** The client identifier at `clientRange` is spelled as the service's client name (not a local alias). */
  clientSpelled: boolean;
}

/** A use of a local identifier that may be bound to a resource (resolved at link). */
export interface Usage {
  ident: string;
  /** For namespace imports `ns.x.method()`: "x". */
  nsMember: string | null;
  member: string | null;
  form: "call" | "tagged" | "read" | "bare-call" | "value";
  /** Whether `ref` was given a type argument (for `.ref<P>()`). */
  hasTypeArgs: boolean;
  /**
   * For `.ref<P>()`: the names of the types P intersects (`Uploader & Downloader`), SDK imports under their
   * exported name; null when P has another form (e.g. a local alias). Absent without type arguments.
   */
  refTypes?: string[] | null;
  /** The type argument's range. */
  refTypeRange?: Range;
  range: Range;
  /** For `db.query\`...\`` and the other SQL methods: the statement (sql-query.ts). */
  sql?: SqlQueryFacts;
}

import type { SqlQueryFacts } from "./sql-query.js";

export interface ExportEntry {
  /** Local name (or, for re-exports, the imported name in `from`). */
  local: string;
  from: string | null;
}

export interface FileFacts {
  path: string;
  /** Whether the file was scanned for declarations (.ts outside tests). */
  scanned: boolean;
  diagnostics: Diagnostic[];
  services: ServiceDecl[];
  endpoints: EndpointDecl[];
  databases: DatabaseDecl[];
  namedRefs: NamedRefDecl[];
  topics: TopicDecl[];
  subscriptions: SubscriptionDecl[];
  cronJobs: CronDecl[];
  secrets: SecretDecl[];
  buckets: BucketDecl[];
  authHandlers: AuthHandlerDecl[];
  gateways: GatewayDecl[];
  middleware: MiddlewareDecl[];
  clientCalls: ClientCall[];
  /** Named imports from the clients module: identifier + range, for unknown-service checks. */
  clientImports: { name: string; range: Range; aliased: boolean; family: "encore" | "reprise" }[];
  /** Named imports of app modules: local name → range of the imported name, and whether it is aliased. */
  namedImports: Map<string, { imported: string; range: Range; aliased: boolean }>;
  authDataCalls: Range[];
  usages: Usage[];
  bindings: Map<string, LocalBinding>;
  /** Exported name → entry. `*` re-exports are in starExports. */
  exports: Map<string, ExportEntry>;
  starExports: string[];
  /** Every module specifier imported or re-exported (for dependency tracking). */
  specifiers: string[];
  /** Where each static import / re-export spells its specifier (the string literal with its quotes). */
  specifierSites: { specifier: string; range: Range }[];
  /** True when the file is a service file (encore.service.ts / reprise.service.ts). */
  isServiceFile: boolean;
}

export function emptyFacts(path: string): FileFacts {
  return {
    path, scanned: false, diagnostics: [], services: [], endpoints: [], databases: [], namedRefs: [], topics: [],
    subscriptions: [], cronJobs: [], secrets: [], buckets: [], authHandlers: [], gateways: [], middleware: [],
    clientCalls: [], clientImports: [], namedImports: new Map(), authDataCalls: [], usages: [], bindings: new Map(), exports: new Map(),
    starExports: [], specifiers: [], specifierSites: [], isServiceFile: false,
  };
}

export const STREAMING: Record<EndpointDecl["kind"], StreamingKind | null> = {
  api: null, raw: null, static: null, streamIn: "in", streamOut: "out", streamInOut: "inout",
};
