/**
 * "New service / endpoint / topic + subscription / database / cron job / bucket / secret": the code a new piece
 * of infrastructure needs, as text edits (files created with `create: true`, or code appended to an existing file
 * with the imports it lacks). Pure: the app model and a reader of the app's files in, edits or a refusal out. The
 * language server turns the edits into one workspace edit (`reprise.server.create`); the editor commands are its
 * clients.
 *
 * Names are checked with the same rules as rename (name-rules.ts). The generated code follows the SDK family the
 * app already uses (`encore.dev/*` or `reprise/*`) and analyses without errors or warnings (tested in
 * test/scaffold.test.ts and over stdio): a new secret is also added to the runtime config when the app keeps one
 * that would otherwise report RP7006.
 */
import type { App, Range, TextEdit } from "@reprise/protocol";
import { RUNTIME_CONFIG_FILES } from "./config-names.js";
import { validateCron } from "./cron-expr.js";
import { secretConfigEdits } from "./link/secrets-config.js";
import { parseDuration } from "./literal.js";
import { IDENTIFIER, JS_RESERVED, nameProblem } from "./name-rules.js";
import type { SdkFamily } from "./sdk.js";

export const SCAFFOLD_KINDS = ["service", "endpoint", "topic", "database", "cron", "bucket", "secret"] as const;
export type ScaffoldKind = (typeof SCAFFOLD_KINDS)[number];

export interface ScaffoldRequest {
  kind: ScaffoldKind;
  /** The new resource's name (service name, endpoint variable, topic, database, cron job id, bucket, secret). */
  name: string;
  /** The service the resource goes into (every kind but `service`). */
  service?: string;
  /** endpoint: HTTP method (default GET), path (default `/<service>/<name>`), exposed (default true). */
  method?: string;
  path?: string;
  expose?: boolean;
  /** topic: the subscription created with it (default `<topic>-handler`). */
  subscription?: string;
  /** cron: `every` (default "1h") or a 5-field `schedule`; `endpoint`: an existing endpoint of the service to call. */
  every?: string;
  schedule?: string;
  endpoint?: string;
}

/** Reads the app's files (root-relative paths; open editor contents first). */
export interface ScaffoldFiles {
  read(file: string): string | undefined;
  exists(file: string): boolean;
}

export type ScaffoldResult =
  | {
      ok: true;
      /** What the edit does, for a confirmation or a log line. */
      title: string;
      edits: TextEdit[];
      /** The file holding the new declaration and the declaration's line range there, to reveal after applying. */
      file: string;
      range: Range;
    }
  | { ok: false; problem: string };

const MODULES = { api: "api", service: "service", pubsub: "pubsub", sqldb: "storage/sqldb", cron: "cron", objects: "storage/objects", config: "config" } as const;
type ModuleKey = keyof typeof MODULES;

/** The SDK family the app uses: the majority of its service files, else its app file (`reprise.app` → reprise). */
export function appSdkFamily(app: App, files: Pick<ScaffoldFiles, "exists">): SdkFamily {
  let reprise = 0;
  let encore = 0;
  for (const s of app.services) {
    if (s.file?.endsWith("reprise.service.ts")) reprise++;
    else if (s.file?.endsWith("encore.service.ts")) encore++;
  }
  if (reprise !== encore) return reprise > encore ? "reprise" : "encore";
  return files.exists("reprise.app") && !files.exists("encore.app") ? "reprise" : "encore";
}

const specifier = (family: SdkFamily, m: ModuleKey) => `${family === "reprise" ? "reprise" : "encore.dev"}/${MODULES[m]}`;
const join = (dir: string, file: string) => (dir ? `${dir}/${file}` : file);
const words = (name: string) => name.split(/[^A-Za-z0-9]+/).filter(Boolean);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
/** `user-signups` → `userSignups` (a valid, non-reserved identifier). */
export function camelIdent(name: string): string {
  const w = words(name);
  let id = w.map((x, i) => (i === 0 ? x.charAt(0).toLowerCase() + x.slice(1) : upperFirst(x))).join("") || "resource";
  if (/^[0-9]/.test(id)) id = `_${id}`;
  return JS_RESERVED.has(id) ? `${id}_` : id;
}
const pascal = (name: string) => upperFirst(camelIdent(name).replace(/^_/, ""));
const usesWord = (text: string, word: string) => new RegExp(`(?<![\\w$])${word.replace(/\$/g, "\\$")}(?![\\w$])`).test(text);
const zero: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

interface Piece {
  file: string;
  imports: { module: ModuleKey; names: string[] }[];
  /** The code to write (ends with a newline). */
  body: string;
  /** A substring of `body` on the line to reveal. */
  marker: string;
}

/**
 * The edits that write `piece` into its file: the whole file when it does not exist, else the missing imports at
 * the top and the body at the end. Refuses when the file already uses one of the identifiers it would add.
 */
function emit(piece: Piece, family: SdkFamily, files: ScaffoldFiles, identifiers: string[]): { edits: TextEdit[]; range: Range } | string {
  const existing = files.read(piece.file);
  const importLines: string[] = [];
  const newNames: string[] = [];
  for (const imp of piece.imports) {
    const spec = specifier(family, imp.module);
    const missing = imp.names.filter((n) => !existing || !new RegExp(`import\\s*(?:type\\s*)?\\{[^}]*(?<![\\w$])${n}(?![\\w$])[^}]*\\}\\s*from\\s*["']${spec.replace(/[./]/g, "\\$&")}["']`).test(existing));
    if (missing.length) importLines.push(`import { ${missing.join(", ")} } from "${spec}";`);
    newNames.push(...missing);
  }
  if (existing !== undefined) {
    const used = [...identifiers, ...newNames].find((id) => usesWord(existing, id));
    if (used) return `'${used}' is already used in ${piece.file}; pick another name.`;
  }
  const head = importLines.length ? importLines.join("\n") + "\n" : "";
  let finalText: string;
  const edits: TextEdit[] = [];
  if (existing === undefined || existing.trim() === "") {
    finalText = head + (head ? "\n" : "") + piece.body;
    if (existing === undefined) edits.push({ file: piece.file, range: zero, newText: finalText, create: true });
    else {
      const lines = existing.split("\n");
      edits.push({ file: piece.file, range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } }, newText: finalText });
    }
  } else {
    const lines = existing.split("\n");
    const last = lines.length - 1;
    const sep = existing.endsWith("\n\n") ? "" : existing.endsWith("\n") ? "\n" : "\n\n";
    if (head) edits.push({ file: piece.file, range: zero, newText: head });
    edits.push({ file: piece.file, range: { start: { line: last, character: lines[last].length }, end: { line: last, character: lines[last].length } }, newText: sep + piece.body });
    finalText = head + existing + sep + piece.body;
  }
  const at = finalText.lastIndexOf(piece.marker);
  const before = finalText.slice(0, at);
  const line = before.split("\n").length - 1;
  const lineText = finalText.split("\n")[line];
  return { edits, range: { start: { line, character: 0 }, end: { line, character: lineText.length } } };
}

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "*"]);
/** `/users/:id` and `/users/:name` are the same route. */
const routeShape = (p: string) => p.replace(/:[A-Za-z_][A-Za-z0-9_]*/g, ":").replace(/\*[A-Za-z_][A-Za-z0-9_]*/g, "*");

function pathProblem(path: string): string | null {
  if (!path.startsWith("/")) return `The path '${path}' must start with '/'.`;
  if (/\s|\?|#/.test(path)) return `The path '${path}' may not contain spaces, '?' or '#'.`;
  const segs = path.split("/").slice(1);
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    if (s === "" && i < segs.length - 1) return `The path '${path}' has an empty segment.`;
    if ((s.startsWith(":") || s.startsWith("*")) && !IDENTIFIER.test(s.slice(1))) return `The path parameter '${s}' needs a name (letters, digits, '_').`;
    if (s.startsWith("*") && i !== segs.length - 1) return `The wildcard '${s}' must be the path's last segment.`;
  }
  return null;
}

/** The edits that create the requested resource, or why it cannot be created. */
export function scaffold(app: App, req: ScaffoldRequest, files: ScaffoldFiles): ScaffoldResult {
  const family = appSdkFamily(app, files);
  const fail = (problem: string): ScaffoldResult => ({ ok: false, problem });
  const name = typeof req.name === "string" ? req.name.trim() : "";
  if (!(SCAFFOLD_KINDS as readonly string[]).includes(req.kind)) return fail(`Unknown kind '${String(req.kind)}': one of ${SCAFFOLD_KINDS.join(", ")}.`);

  if (req.kind === "service") {
    const problem = nameProblem(app, "service", name);
    if (problem) return fail(problem);
    const root = app.services.find((s) => s.dir === "");
    if (root) return fail(`The app root is itself service '${root.name}', so a new service folder would be nested inside it.`);
    if (files.exists(name)) return fail(`A folder '${name}' already exists; a new service needs a folder of its own.`);
    const file = `${name}/${family}.service.ts`;
    const r = emit({ file, imports: [{ module: "service", names: ["Service"] }], body: `export default new Service("${name}");\n`, marker: "new Service" }, family, files, []);
    return typeof r === "string" ? fail(r) : { ok: true, title: `Create service '${name}' (${file})`, file, ...r };
  }

  const svc = app.services.find((s) => s.name === req.service);
  if (!req.service) return fail(`Say which service the new ${req.kind} goes into.`);
  if (!svc) return fail(`There is no service '${req.service}'.`);
  const dir = svc.dir;

  switch (req.kind) {
    case "endpoint": {
      const problem = nameProblem(app, "endpoint", name, svc.name);
      if (problem) return fail(problem);
      const method = (req.method ?? "GET").toUpperCase();
      if (!METHODS.has(method)) return fail(`'${req.method}' is not an HTTP method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS or *).`);
      const path = req.path?.trim() || `/${svc.name}/${name}`;
      const bad = pathProblem(path);
      if (bad) return fail(bad);
      for (const s of app.services) {
        for (const e of s.endpoints) {
          const methods: string[] = e.method;
          const sameMethod = method === "*" || methods.includes("*") || methods.includes(method);
          if (sameMethod && routeShape(e.path) === routeShape(path)) return fail(`${method} ${path} is already served by ${s.name}.${e.name} (${e.path}).`);
        }
      }
      const params = path.split("/").filter((s) => s.startsWith(":") || s.startsWith("*")).map((s) => s.slice(1));
      const arg = params.length ? `{ ${params.join(", ")} }: { ${params.map((p) => `${p}: string`).join("; ")} }` : "";
      const value = params.length ? `\`${name} ${params.map((p) => `\${${p}}`).join(" ")}\`` : `"${name}"`;
      const body =
        `export const ${name} = api({ expose: ${req.expose === false ? "false" : "true"}, method: "${method}", path: "${path}" }, async (${arg}): Promise<{ message: string }> => {\n` +
        `  return { message: ${value} };\n` +
        `});\n`;
      const file = join(dir, `${name}.ts`);
      const r = emit({ file, imports: [{ module: "api", names: ["api"] }], body, marker: `export const ${name} =` }, family, files, [name]);
      return typeof r === "string" ? fail(r) : { ok: true, title: `Create endpoint ${svc.name}.${name} (${method} ${path})`, file, ...r };
    }
    case "topic": {
      const problem = nameProblem(app, "topic", name);
      if (problem) return fail(problem);
      const sub = req.subscription?.trim() || `${name}-handler`;
      const subProblem = nameProblem(app, "subscription", sub, name);
      if (subProblem) return fail(subProblem);
      const ident = camelIdent(name);
      const type = `${pascal(name)}Message`;
      const subIdent = `${camelIdent(sub)}Subscription`;
      const body =
        `export interface ${type} {\n  id: string;\n}\n\n` +
        `export const ${ident} = new Topic<${type}>("${name}", { deliveryGuarantee: "at-least-once" });\n\n` +
        `export const ${subIdent} = new Subscription(${ident}, "${sub}", {\n` +
        `  handler: async (message: ${type}): Promise<void> => {\n    console.log("received", message.id);\n  },\n});\n`;
      const file = join(dir, `${name}.ts`);
      const r = emit({ file, imports: [{ module: "pubsub", names: ["Subscription", "Topic"] }], body, marker: `new Topic<` }, family, files, [ident, type, subIdent]);
      return typeof r === "string" ? fail(r) : { ok: true, title: `Create topic '${name}' with subscription '${sub}' in ${svc.name}`, file, ...r };
    }
    case "database": {
      const problem = nameProblem(app, "database", name);
      if (problem) return fail(problem);
      const file = join(dir, "db.ts");
      const existing = files.read(file);
      const ident = existing === undefined || !usesWord(existing, "db") ? "db" : `${camelIdent(name)}DB`;
      const migDir = ["migrations", `${name}-migrations`].find((m) => !files.exists(join(dir, m)));
      if (!migDir) return fail(`Both ${join(dir, "migrations")} and ${join(dir, `${name}-migrations`)} exist; move one so the new database gets its own migrations folder.`);
      const body = `export const ${ident} = new SQLDatabase("${name}", { migrations: "./${migDir}" });\n`;
      const r = emit({ file, imports: [{ module: "sqldb", names: ["SQLDatabase"] }], body, marker: `new SQLDatabase("${name}"` }, family, files, [ident]);
      if (typeof r === "string") return fail(r);
      const migration: TextEdit = { file: join(dir, `${migDir}/1_init.up.sql`), range: zero, newText: `-- The first migration of database '${name}': create your tables here.\n`, create: true };
      return { ok: true, title: `Create database '${name}' in ${svc.name} (${join(dir, migDir)}/1_init.up.sql)`, file, edits: [...r.edits, migration], range: r.range };
    }
    case "cron": {
      const problem = nameProblem(app, "cron", name);
      if (problem) return fail(problem);
      let schedule: string;
      if (req.schedule?.trim()) {
        const bad = validateCron(req.schedule.trim());
        if (bad) return fail(bad.message);
        schedule = `schedule: "${req.schedule.trim()}"`;
      } else {
        const every = req.every?.trim() || "1h";
        const ms = parseDuration(every);
        const minutes = ms === null ? NaN : ms / 60_000;
        if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440 || 1440 % minutes !== 0)
          return fail(`'${every}' is not a cron interval: a whole number of minutes that divides 24 hours, such as "5m", "1h" or "24h".`);
        schedule = `every: "${every}"`;
      }
      const jobIdent = `${camelIdent(name)}Job`;
      if (req.endpoint) {
        const ep = svc.endpoints.find((e) => e.name === req.endpoint);
        if (!ep) return fail(`Service '${svc.name}' has no endpoint '${req.endpoint}'.`);
        if (ep.request !== null || ep.pathSegments.some((s) => s.type !== "literal")) return fail(`Endpoint ${svc.name}.${ep.name} takes a request, but cron jobs call their endpoint without one; pick an endpoint without parameters, or let the command create one.`);
        if (ep.raw || ep.streaming) return fail(`Endpoint ${svc.name}.${ep.name} is a ${ep.raw ? "raw" : "streaming"} endpoint; cron jobs call plain endpoints.`);
        const file = ep.location.file;
        const body = `export const ${jobIdent} = new CronJob("${name}", { title: "${name}", ${schedule}, endpoint: ${ep.name} });\n`;
        const r = emit({ file, imports: [{ module: "cron", names: ["CronJob"] }], body, marker: `new CronJob("${name}"` }, family, files, [jobIdent]);
        return typeof r === "string" ? fail(r) : { ok: true, title: `Create cron job '${name}' calling ${svc.name}.${ep.name}`, file, ...r };
      }
      const base = camelIdent(name);
      const endpointName = [base, `${base}Cron`, `run${pascal(name)}`].find((n) => !nameProblem(app, "endpoint", n, svc.name));
      if (!endpointName) return fail(`Service '${svc.name}' already has endpoints named like '${base}'; pick an existing endpoint for the cron job to call.`);
      const body =
        `// Called by the cron job "${name}" (not exposed to the internet).\n` +
        `export const ${endpointName} = api({}, async (): Promise<void> => {});\n\n` +
        `export const ${jobIdent} = new CronJob("${name}", { title: "${name}", ${schedule}, endpoint: ${endpointName} });\n`;
      const file = join(dir, "cron.ts");
      const r = emit({ file, imports: [{ module: "api", names: ["api"] }, { module: "cron", names: ["CronJob"] }], body, marker: `new CronJob("${name}"` }, family, files, [endpointName, jobIdent]);
      return typeof r === "string" ? fail(r) : { ok: true, title: `Create cron job '${name}' and its endpoint ${svc.name}.${endpointName}`, file, ...r };
    }
    case "bucket": {
      const problem = nameProblem(app, "bucket", name);
      if (problem) return fail(problem);
      const ident = camelIdent(name);
      const file = join(dir, "storage.ts");
      const body = `export const ${ident} = new Bucket("${name}", { versioned: false });\n`;
      const r = emit({ file, imports: [{ module: "objects", names: ["Bucket"] }], body, marker: `new Bucket("${name}"` }, family, files, [ident]);
      return typeof r === "string" ? fail(r) : { ok: true, title: `Create bucket '${name}' in ${svc.name}`, file, ...r };
    }
    case "secret": {
      const problem = nameProblem(app, "secret", name);
      if (problem) return fail(problem);
      const ident = camelIdent(name);
      const file = join(dir, "secrets.ts");
      const body = `// Set it with REPRISE_SECRET_${name}, a line in .secrets.local.cue, or secrets.${name} in reprise.config.json.\nexport const ${ident} = secret("${name}");\n`;
      const r = emit({ file, imports: [{ module: "config", names: ["secret"] }], body, marker: `secret("${name}")` }, family, files, [ident]);
      if (typeof r === "string") return fail(r);
      // An app that keeps a runtime config gets the secret there too, as `$env:` references (read only in the
      // environment being started, so a local run is unaffected), the same edit as RP7006's quick fix.
      const configPath = RUNTIME_CONFIG_FILES.find((f) => files.read(f));
      const config = configPath ? secretConfigEdits(name, { path: configPath, text: files.read(configPath)! }) : null;
      const where = config ? ` and ${configPath}${config.missingIn.length ? ` (${config.missingIn.join(", ")})` : ""}` : "";
      return { ok: true, title: `Create secret '${name}' in ${svc.name}${where}`, file, edits: [...r.edits, ...(config?.edits ?? [])], range: r.range };
    }
  }
}
