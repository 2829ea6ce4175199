/**
 * The resource registry: one entry per infrastructure kind, `{ kind, imports, parse }` (style guide §8). `imports`
 * names the SDK module and the callee forms the parser handles; the extractor dispatches a call or `new` to the
 * entry whose form matches, whichever family (`reprise/*` or `encore.dev/*`) it was imported from.
 */
import type { Node } from "../ast.js";
import type { Extractor } from "../extract.js";
import type { ResourceKind } from "../facts.js";
import type { SdkFamily, SdkModule } from "../sdk.js";
import type { Span } from "@swc/core";
import { apiParser } from "./api.js";
import { serviceParser } from "./service.js";
import { sqldbParser } from "./sqldb.js";
import { topicParser, subscriptionParser } from "./pubsub.js";
import { cronParser } from "./cron.js";
import { secretParser } from "./secret.js";
import { bucketParser } from "./bucket.js";
import { authHandlerParser, gatewayParser } from "./auth.js";
import { middlewareParser } from "./middleware.js";

export interface CallSite {
  node: Node;
  isNew: boolean;
  callee: Node;
  /** Callee form relative to the module, e.g. "api", "api.raw", "SQLDatabase.named". */
  symbol: string;
  family: SdkFamily;
  args: { spread?: Span; expression: Node }[] | undefined;
  typeArgs: Node[];
  bindName: string | null;
  bindSpan: Span | null;
  destructured: boolean;
  /** The call is the declarator's whole initializer (only then does the variable name the resource). */
  direct: boolean;
  inFunction: boolean;
  /** UTF-16 offset of the statement holding the declaration (doc comments are read above it). */
  docOffset: number;
}

export interface ResourceParser {
  kind: ResourceKind | "ref";
  imports: { module: SdkModule; forms: string[] };
  parse(x: Extractor, site: CallSite): void;
}

const PARSERS: ResourceParser[] = [
  apiParser, serviceParser, sqldbParser, topicParser, subscriptionParser, cronParser, secretParser, bucketParser,
  authHandlerParser, gatewayParser, middlewareParser,
];

/** "module:form" → parser. */
export const REGISTRY: ReadonlyMap<string, ResourceParser> = new Map(
  PARSERS.flatMap((p) => p.imports.forms.map((f) => [`${p.imports.module}:${f}`, p] as const)),
);
