/**
 * Rename and find-references for infrastructure names (service, endpoint, topic, subscription, database, bucket,
 * cron job, secret), built on the analyser's name sites (`App.names`: the exact range of every literal and
 * identifier that spells a name) plus the keys of the runtime config files. One rename is one workspace edit:
 * declarations, `~encore/clients` imports and calls, named references, cron endpoints and config keys. Renaming
 * something that holds data carries a change annotation that needs confirmation (and moves the embedded
 * database folder under `.reprise/db/` or the filesystem bucket under `.reprise/buckets/`).
 */
import * as path from "node:path";
import type { Location as LspLocation, WorkspaceEdit, TextEdit as LspTextEdit, ChangeAnnotation } from "vscode-languageserver/node";
import type { NamedKind, NameSite, Position, Range } from "@reprise/protocol";
import { clientIdent, configNameSites, nameProblem, RUNTIME_CONFIG_FILES } from "@reprise/analyzer";
import { contains } from "../model-index.js";
import { fileUri, location, range as toRange } from "../to-proto.js";
import type { FeatureContext } from "./context.js";

/** What rename needs beyond the model: file text and versions, the disk, and what the client can apply. */
export interface RenameEnv {
  /** Text of a root-relative file (open document first, then disk); undefined when absent. */
  readText(file: string): string | undefined;
  /** Version of an open document, null when it is not open. */
  version(file: string): number | null;
  /** Whether a root-relative path exists on disk. */
  exists(file: string): boolean;
  /** The client applies `documentChanges` (versioned edits, file operations, annotations). */
  documentChanges: boolean;
  resourceRename: boolean;
  changeAnnotations: boolean;
}

/** A name sitting at a position: in code (a name site) or in a runtime config file (a key). */
interface Target {
  kind: NamedKind;
  name: string;
  scope: string | null;
  /** The range to show and replace at the position (without quotes). */
  range: Range;
}

/** Typed refusal: the connection turns it into an LSP error response carrying this message. */
export class RenameRefused extends Error {}

const CONFIG_KINDS: ReadonlySet<NamedKind> = new Set(["database", "bucket", "secret"]);
const isConfigFile = (file: string) => (RUNTIME_CONFIG_FILES as readonly string[]).includes(file);

const inner = (site: { form: NameSite["form"]; location: { range: Range } }): Range => {
  const r = site.location.range;
  // String literals (quotes included in the site) are edited inside the quotes, so the quote style is kept.
  if (site.form === "string" && r.start.line === r.end.line) return { start: { line: r.start.line, character: r.start.character + 1 }, end: { line: r.end.line, character: r.end.character - 1 } };
  return r;
};

function targetAt(ctx: FeatureContext, env: RenameEnv, position: Position): Target | undefined {
  if (isConfigFile(ctx.file)) {
    const text = env.readText(ctx.file);
    if (text === undefined) return undefined;
    const hit = configNameSites(text).find((s) => contains(s.range, position));
    if (!hit) return undefined;
    return { kind: hit.kind, name: hit.name, scope: null, range: inner({ form: "string", location: hit }) };
  }
  const names = ctx.index.model.app.names ?? [];
  const hit = names.find((s) => s.location.file === ctx.file && contains(s.location.range, position));
  if (!hit) return undefined;
  return { kind: hit.kind, name: hit.name, scope: hit.scope, range: inner(hit) };
}

const same = (t: Target, s: { kind: NamedKind; name: string; scope?: string | null }) =>
  s.kind === t.kind && s.name === t.name && (t.kind !== "endpoint" && t.kind !== "subscription" ? true : (s.scope ?? null) === t.scope);

/** Every place the target's name is spelled: code sites, then config keys. */
function occurrences(ctx: FeatureContext, env: RenameEnv, t: Target): { file: string; range: Range; form: NameSite["form"] | "config" }[] {
  const out: { file: string; range: Range; form: NameSite["form"] | "config" }[] = [];
  for (const s of ctx.index.model.app.names ?? []) if (same(t, s)) out.push({ file: s.location.file, range: s.location.range, form: s.form });
  if (CONFIG_KINDS.has(t.kind)) {
    for (const file of RUNTIME_CONFIG_FILES) {
      const text = env.readText(file);
      if (text === undefined) continue;
      for (const s of configNameSites(text)) if (s.kind === t.kind && s.name === t.name) out.push({ file, range: s.range, form: "config" });
    }
  }
  return out;
}

export function prepareRename(ctx: FeatureContext, env: RenameEnv, position: Position): { range: Range; placeholder: string } | null {
  const t = targetAt(ctx, env, position);
  if (!t) return null;
  if (t.kind === "subscription" && t.scope === null) throw new RenameRefused(`Subscription '${t.name}' is not attached to a known topic; fix its topic first.`);
  return { range: toRange(t.range), placeholder: t.name };
}

export function findNameReferences(ctx: FeatureContext, env: RenameEnv, position: Position, includeDeclaration: boolean): LspLocation[] | undefined {
  const t = targetAt(ctx, env, position);
  if (!t) return undefined;
  const declarations = new Set((ctx.index.model.app.names ?? []).filter((s) => s.role === "declaration" && same(t, s)).map((s) => `${s.location.file}:${s.location.range.start.line}:${s.location.range.start.character}`));
  return occurrences(ctx, env, t)
    .filter((o) => includeDeclaration || !declarations.has(`${o.file}:${o.range.start.line}:${o.range.start.character}`))
    .map((o) => location(ctx.root.uri, { file: o.file, range: o.range }));
}

// ---- validation of the new name --------------------------------------------------------------------------

const word = (name: string) => new RegExp(`(?<![\\w$])${name.replace(/\$/g, "\\$")}(?![\\w$])`);

/**
 * Whether an identifier the rename writes could clash with a name already used in one of the files it edits
 * (conservative: any use of the word counts), so a rename never leaves TypeScript errors behind.
 */
function identifierClash(ctx: FeatureContext, env: RenameEnv, t: Target, identifier: string, where: (s: NameSite) => boolean): string | null {
  const files = new Set((ctx.index.model.app.names ?? []).filter((s) => same(t, s) && where(s)).map((s) => s.location.file));
  for (const file of files) {
    const text = env.readText(file);
    if (text !== undefined && word(identifier).test(text)) return file;
  }
  return null;
}

/** Why `newName` would be an error for the target (the analyser's name rules, then identifier clashes in the files the edit touches), or null. */
export function renameProblem(ctx: FeatureContext, t: Target, newName: string, env?: RenameEnv): string | null {
  if (newName === t.name) return null;
  const problem = nameProblem(ctx.index.model.app, t.kind, newName, t.scope, t.name);
  if (problem || !env) return problem;
  if (t.kind === "service") {
    const used = identifierClash(ctx, env, t, clientIdent(newName), (s) => s.form === "client");
    if (used) return `'${clientIdent(newName)}' is already used in ${used}, where the service's client is imported; pick another name or rename that first.`;
  }
  if (t.kind === "endpoint") {
    const used = identifierClash(ctx, env, t, newName, (s) => s.role === "declaration");
    if (used) return `'${newName}' is already used in ${used}; pick another name or rename that first.`;
  }
  return null;
}

const DATA_NOTE: Partial<Record<NamedKind, string>> = {
  database: "The embedded database folder under .reprise/db/ is moved with it; a deployed PostgreSQL database keeps its old name until you migrate it.",
  bucket: "The local bucket folder under .reprise/buckets/ (and its metadata) is moved with it; a deployed bucket (S3) keeps its old name until you migrate it.",
  topic: "A deployed NATS stream keeps its old name; messages waiting in it are not moved.",
  subscription: "A deployed NATS consumer keeps its old name; its position in the stream is not carried over.",
};

/** Endpoints without an explicit path are served at `/<service>.<endpoint>`: renaming either changes that URL. */
function pathNote(ctx: FeatureContext, t: Target, newName: string): string | undefined {
  const app = ctx.index.model.app;
  if (t.kind === "endpoint") {
    const e = app.services.find((s) => s.name === t.scope)?.endpoints.find((x) => x.name === t.name);
    if (e && e.path === `/${t.scope}.${t.name}`) return `Its default path changes from ${e.path} to /${t.scope}.${newName}; HTTP callers must follow.`;
  }
  if (t.kind === "service") {
    const moved = app.services.find((s) => s.name === t.name)?.endpoints.filter((e) => e.path === `/${t.name}.${e.name}`) ?? [];
    if (moved.length) return `${moved.length} endpoint${moved.length === 1 ? "" : "s"} without an explicit path move from /${t.name}.<endpoint> to /${newName}.<endpoint>; HTTP callers must follow.`;
  }
  return undefined;
}

/**
 * A service whose folder is named after it is offered a folder move with its rename: the folder's rename (a file
 * operation, after every text edit) and the relative imports into it from other files, rewritten to the new folder.
 * Only for clients that apply file renames and confirm change annotations (the move is its own confirmation, so it
 * can be left out); not when the new folder exists or another file imports the folder through a non-relative
 * specifier (a path alias this edit cannot rewrite). Files inside the folder keep their imports: the folder keeps
 * its parent, so their relative paths stay right.
 */
function folderMove(ctx: FeatureContext, env: RenameEnv, t: Target, newName: string): { from: string; to: string; imports: { file: string; range: Range; newText: string }[] } | { skipped: string } | null {
  if (t.kind !== "service" || !env.documentChanges || !env.resourceRename || !env.changeAnnotations) return null;
  const svc = ctx.index.model.app.services.find((s) => s.name === t.name);
  if (!svc || !svc.dir || path.posix.basename(svc.dir) !== t.name) return null;
  const parent = path.posix.dirname(svc.dir);
  const to = parent === "." ? newName : `${parent}/${newName}`;
  if (env.exists(to)) return { skipped: `The folder ${svc.dir}/ is not renamed: ${to}/ already exists.` };
  const imports: { file: string; range: Range; newText: string }[] = [];
  for (const imp of ctx.root.analyzer.importsInto(svc.dir)) {
    if (!imp.relative) return { skipped: `The folder ${svc.dir}/ is not renamed: ${imp.file} imports it as '${imp.specifier}', which this edit cannot rewrite.` };
    const from = path.posix.dirname(imp.file) === "." ? "" : path.posix.dirname(imp.file);
    const spelled = path.posix.normalize(path.posix.join(from, imp.specifier));
    if (spelled !== svc.dir && !spelled.startsWith(svc.dir + "/")) return { skipped: `The folder ${svc.dir}/ is not renamed: ${imp.file} imports it as '${imp.specifier}', which this edit cannot rewrite.` };
    let rel = path.posix.relative(from, to + spelled.slice(svc.dir.length)) || ".";
    if (!rel.startsWith(".")) rel = `./${rel}`;
    imports.push({ file: imp.file, range: inner({ form: "string", location: { range: imp.range } }), newText: rel });
  }
  return { from: svc.dir, to, imports };
}

export function rename(ctx: FeatureContext, env: RenameEnv, position: Position, newName: string): WorkspaceEdit | null {
  const t = targetAt(ctx, env, position);
  if (!t) return null;
  const problem = renameProblem(ctx, t, newName, env);
  if (problem) throw new RenameRefused(problem);
  const byFile = new Map<string, LspTextEdit[]>();
  const add = (file: string, r: Range, newText: string, annotationId?: string) => {
    let list = byFile.get(file);
    if (!list) byFile.set(file, (list = []));
    if (!list.some((e) => e.range.start.line === r.start.line && e.range.start.character === r.start.character)) list.push({ range: toRange(r), newText, ...(annotationId ? { annotationId } : {}) });
  };
  const note = [DATA_NOTE[t.kind], pathNote(ctx, t, newName)].filter(Boolean).join(" ") || undefined;
  const annotationId = note && env.documentChanges && env.changeAnnotations ? "reprise.data" : undefined;
  // (One annotation id for every confirmation about the name: what holds data and what changes public paths.)
  for (const o of occurrences(ctx, env, t)) {
    const newText =
      o.form === "client" ? clientIdent(newName)
      : o.form === "import-alias" ? `${newName} as ${t.name}`
      : newName;
    add(o.file, o.form === "string" || o.form === "config" ? inner({ form: "string", location: { range: o.range } }) : o.range, newText, annotationId);
  }
  // The embedded data that follows the name: a database's PGlite folder, a filesystem bucket and its metadata.
  const dataFolders =
    t.kind === "database" ? [[`.reprise/db/${t.name}`, `.reprise/db/${newName}`]]
    : t.kind === "bucket" ? [[`.reprise/buckets/${t.name}`, `.reprise/buckets/${newName}`], [`.reprise/buckets/.meta/${t.name}`, `.reprise/buckets/.meta/${newName}`]]
    : [];
  const moves = dataFolders.filter(([from, to]) => env.exists(from) && !env.exists(to));
  if (!env.documentChanges) {
    const changes: Record<string, LspTextEdit[]> = {};
    for (const [file, edits] of byFile) changes[fileUri(ctx.root.uri, file)] = edits;
    return { changes };
  }
  const folder = folderMove(ctx, env, t, newName);
  const FOLDER = "reprise.folder";
  if (folder && "imports" in folder) for (const imp of folder.imports) add(imp.file, imp.range, imp.newText, FOLDER);
  const annotate = <T extends object>(x: T): T => (annotationId ? { ...x, annotationId } : x);
  const documentChanges: NonNullable<WorkspaceEdit["documentChanges"]> = [];
  for (const [file, edits] of byFile) {
    documentChanges.push({ textDocument: { uri: fileUri(ctx.root.uri, file), version: env.version(file) }, edits });
  }
  if (env.resourceRename) {
    for (const [from, to] of moves) documentChanges.push(annotate({ kind: "rename" as const, oldUri: fileUri(ctx.root.uri, from), newUri: fileUri(ctx.root.uri, to), options: { overwrite: false, ignoreIfExists: true } }));
  }
  if (folder && "imports" in folder) {
    documentChanges.push({ kind: "rename" as const, oldUri: fileUri(ctx.root.uri, folder.from), newUri: fileUri(ctx.root.uri, folder.to), options: { overwrite: false, ignoreIfExists: false }, annotationId: FOLDER });
  }
  const edit: WorkspaceEdit = { documentChanges };
  const annotations: Record<string, ChangeAnnotation> = {};
  if (annotationId) {
    annotations[annotationId] = { label: `Rename ${t.kind} '${t.name}' → '${newName}'${DATA_NOTE[t.kind] ? " (holds data)" : " (changes public paths)"}`, needsConfirmation: true, description: note };
  }
  if (folder && "imports" in folder) {
    const n = folder.imports.length;
    annotations[FOLDER] = { label: `Rename folder ${folder.from}/ → ${folder.to}/`, needsConfirmation: true, description: `Moves the service's folder${n ? ` and rewrites ${n} import${n === 1 ? "" : "s"} into it` : ""}.` };
  } else if (folder && "skipped" in folder && annotationId) {
    annotations[annotationId].description = `${annotations[annotationId].description ?? ""} ${folder.skipped}`.trim();
  }
  if (Object.keys(annotations).length) edit.changeAnnotations = annotations;
  return edit;
}
