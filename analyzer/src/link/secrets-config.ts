/**
 * RP7006: a secret the app declares that its runtime config file (`reprise.config.json` / `infra.config.json`)
 * does not set, for an environment that file configures. Only apps that keep a runtime config are checked (others
 * set secrets through `REPRISE_SECRET_<Name>` or `.secrets.local.cue`, which the analyser does not see). Local
 * development is never checked: an unset secret reads as "" there (docs/runtime-config.md "Secrets").
 *  - With `environments` other than `local`: each of them must resolve the secret (top-level `secrets.<Name>` or
 *    `environments.<env>.secrets.<Name>`). The fix adds `"<Name>": "$env:<NAME>"` to each environment lacking it.
 *  - Without: only when the file has a top-level `secrets` object (the app keeps its secrets there); the fix adds
 *    the key to it.
 * `$env:` values are checked only for the environment being started, so the fix never breaks a local run.
 * Pure: the config text in, diagnostics out.
 */
import type { App, Diagnostic, NameSite, Range, TextEdit } from "@reprise/protocol";
import { D } from "../diagnostics/catalogue.js";
import { makeDiagnostic } from "../diagnostics/define.js";

interface JsonObject {
  /** Offset just after `{`, and of `}`. */
  open: number;
  close: number;
  /** Key → value (objects parsed, other values as null). */
  entries: Map<string, JsonObject | null>;
}

/** A small JSON reader keeping object positions; comments allowed. Throws on invalid input. */
class Reader {
  i = 0;
  constructor(readonly t: string) {}
  ws(): void {
    for (;;) {
      const c = this.t[this.i];
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\ufeff") this.i++;
      else if (c === "/" && this.t[this.i + 1] === "/") while (this.i < this.t.length && this.t[this.i] !== "\n") this.i++;
      else if (c === "/" && this.t[this.i + 1] === "*") {
        const e = this.t.indexOf("*/", this.i + 2);
        this.i = e < 0 ? this.t.length : e + 2;
      } else return;
    }
  }
  string(): string {
    const start = this.i;
    if (this.t[this.i] !== '"') throw new Error("expected a string");
    this.i++;
    while (this.i < this.t.length && this.t[this.i] !== '"') this.i += this.t[this.i] === "\\" ? 2 : 1;
    if (this.i >= this.t.length) throw new Error("unterminated string");
    this.i++;
    return JSON.parse(this.t.slice(start, this.i)) as string;
  }
  value(depth = 0): JsonObject | null {
    if (depth > 64) throw new Error("too deep");
    this.ws();
    const c = this.t[this.i];
    if (c === "{") {
      const obj: JsonObject = { open: ++this.i, close: -1, entries: new Map() };
      this.ws();
      if (this.t[this.i] === "}") {
        obj.close = this.i++;
        return obj;
      }
      for (;;) {
        this.ws();
        const k = this.string();
        this.ws();
        if (this.t[this.i++] !== ":") throw new Error("expected ':'");
        obj.entries.set(k, this.value(depth + 1));
        this.ws();
        const sep = this.t[this.i];
        if (sep === ",") {
          this.i++;
          this.ws();
          if (this.t[this.i] === "}") {
            obj.close = this.i++;
            return obj;
          }
          continue;
        }
        if (sep === "}") {
          obj.close = this.i++;
          return obj;
        }
        throw new Error("expected ',' or '}'");
      }
    }
    if (c === "[") {
      this.i++;
      this.ws();
      if (this.t[this.i] === "]") return void this.i++, null;
      for (;;) {
        this.value(depth + 1);
        this.ws();
        const sep = this.t[this.i++];
        if (sep === "]") return null;
        if (sep !== ",") throw new Error("expected ',' or ']'");
        this.ws();
        if (this.t[this.i] === "]") return void this.i++, null;
      }
    }
    if (c === '"') {
      this.string();
      return null;
    }
    const m = /^(true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(this.t.slice(this.i, this.i + 40));
    if (!m) throw new Error("unexpected value");
    this.i += m[0].length;
    return null;
  }
}

/** `StripeKey` → `STRIPE_KEY`, `GitHubToken` → `GITHUB_TOKEN`. */
export function envVarName(secret: string): string {
  return secret
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let last = 0;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) (line++, (last = i + 1));
  return { line, character: offset - last };
}

/** Text inserted right after `obj`'s `{` that adds `"key": value` as its first entry, in the object's layout. */
function insertion(text: string, obj: JsonObject, key: string, value: string): { offset: number; text: string } {
  const entry = `${JSON.stringify(key)}: ${value}`;
  const empty = obj.entries.size === 0;
  const after = text.slice(obj.open, empty ? obj.close : undefined);
  const nl = /^[ \t]*\r?\n([ \t]*)/.exec(after);
  if (nl) return { offset: obj.open, text: `\n${nl[1]}${entry}${empty ? "" : ","}` };
  return { offset: obj.open, text: empty ? ` ${entry} ` : ` ${entry},` };
}

function parseConfig(text: string): JsonObject | null {
  try {
    return new Reader(text).value();
  } catch {
    return null; // The runtime reports an invalid config file (RP_CONFIG) when it starts.
  }
}

/**
 * Where the config lacks secret `name` and the edits that add it: `missingIn` names the environments lacking it
 * (empty when it goes into the top-level `secrets`). Null when the config does not call for it (no environments
 * besides local and no top-level `secrets`, already set, or not JSON).
 */
export function secretConfigEdits(name: string, config: { path: string; text: string }, root: JsonObject | null = parseConfig(config.text)): { edits: TextEdit[]; missingIn: string[] } | null {
  if (!root) return null;
  const top = root.entries.get("secrets");
  const envs = root.entries.get("environments");
  const envNames = envs ? [...envs.entries.keys()].filter((e) => e !== "local") : [];
  if ((!envNames.length && !top) || top?.entries.has(name)) return null;
  const edits: TextEdit[] = [];
  const missingIn: string[] = [];
  const value = JSON.stringify(`$env:${envVarName(name)}`);
  const edit = (ins: { offset: number; text: string }) => {
    const at = positionAt(config.text, ins.offset);
    edits.push({ file: config.path, range: { start: at, end: at }, newText: ins.text });
  };
  if (envNames.length) {
    for (const env of envNames) {
      const e = envs!.entries.get(env);
      if (!e) continue; // not an object: the runtime's schema check reports it
      const s = e.entries.get("secrets");
      if (s?.entries.has(name)) continue;
      missingIn.push(env);
      if (s) edit(insertion(config.text, s, name, value));
      else if (!e.entries.has("secrets")) edit(insertion(config.text, e, "secrets", `{ ${JSON.stringify(name)}: ${value} }`));
    }
    if (!missingIn.length) return null;
  } else edit(insertion(config.text, top!, name, value));
  return { edits, missingIn };
}

export function secretsConfigDiagnostics(app: App, config: { path: string; text: string } | undefined): Diagnostic[] {
  if (!config || !app.secrets.length) return [];
  const root = parseConfig(config.text);
  if (!root) return [];
  const names = new Map<string, NameSite[]>();
  for (const s of app.names ?? []) if (s.kind === "secret" && s.role === "declaration") names.set(s.name, [...(names.get(s.name) ?? []), s]);
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const secret of app.secrets) {
    const name = secret.name;
    const missing = secretConfigEdits(name, config, root);
    if (!missing) continue;
    const { edits, missingIn } = missing;
    const sites = (names.get(name) ?? []).filter((s) => s.location.file === secret.location.file);
    const range: Range = sites.find((s) => s.location.range.start.line >= secret.location.range.start.line)?.location.range ?? secret.location.range;
    const key = `${secret.location.file}:${range.start.line}:${range.start.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const where = missingIn.length ? `for the environment${missingIn.length === 1 ? "" : "s"} ${missingIn.map((e) => `'${e}'`).join(", ")}` : "in its top-level secrets";
    out.push(
      makeDiagnostic(D.SecretNotInConfig, secret.location.file, range, `Secret '${name}' is not set in ${config.path} ${where}; starting there fails with RP_SECRET_MISSING unless REPRISE_SECRET_${name} is set. The quick fix adds "${name}": "$env:${envVarName(name)}".`, {
        related: [{ location: { file: config.path, range: { start: positionAt(config.text, root.open - 1), end: positionAt(config.text, root.open) } }, message: "the runtime config file" }],
        fixes: edits.length ? [{ title: `Add secret '${name}' to ${config.path}${missingIn.length ? ` (${missingIn.join(", ")})` : ""}`, edits, isPreferred: true }] : [],
      }),
    );
  }
  return out;
}
