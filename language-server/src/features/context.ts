/** What every feature handler receives: the root, the file's root-relative path, the index and the parsed file. */
import type { Position } from "@reprise/protocol";
import type { AppRoot } from "../app-root.js";
import { inDeclarationZone, onBinding, type ParsedFile } from "@reprise/analyzer";
import type { ModelIndex, Placed } from "../model-index.js";
import type { Settings } from "../settings.js";

export interface FeatureContext {
  root: AppRoot;
  /** Root-relative path of the document. */
  file: string;
  /** URI of the document as the client named it. */
  uri: string;
  index: ModelIndex;
  parsed: ParsedFile | undefined;
  settings: Settings;
}

const USAGE_KINDS = new Set(["call", "publish"]);

/**
 * The entities a position refers to, most specific first. Usages (calls, publish sites) count anywhere in their
 * range; declarations only outside their nested functions (see the analyzer's zones.ts).
 */
export function entitiesAt(ctx: FeatureContext, position: Position): Placed[] {
  const hits = ctx.index.at(ctx.file, position).filter((p) => USAGE_KINDS.has(p.entity.kind) || inDeclarationZone(ctx.parsed, p.location.range, position));
  if (hits.length) return hits;
  return ctx.index.inFile(ctx.file).filter((p) => !USAGE_KINDS.has(p.entity.kind) && onBinding(ctx.parsed, p.location.range, position));
}
