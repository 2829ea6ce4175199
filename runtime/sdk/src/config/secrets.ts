/**
 * Where a secret's value comes from, and what an unset one means, the way `encore run` behaves:
 *
 * 1. `REPRISE_SECRET_<Name>` in the environment (wins);
 * 2. in local development only, `.secrets.local.cue` at the app root (the file Encore users keep their local
 *    overrides in: flat `Name: "value"` lines);
 * 3. the runtime config's `secrets` (reprise.config.json, per environment).
 *
 * Local development (no `REPRISE_ENV`, or `REPRISE_ENV=local`): an unset secret reads as `""` and start-up
 * prints one warning naming each missing secret and how to set it. Any other environment: start-up refuses,
 * naming every missing secret, and reading an unset secret throws.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InfraError } from "./errors.js";
import { state, type InfraModel, type ResolvedConfig } from "./registry.js";

export const LOCAL_SECRETS_FILE = ".secrets.local.cue";

/** True in local development: the selected runtime-config environment is `local` (the default). */
export function isLocalEnvironment(): boolean {
  const env = state().config?.env ?? process.env.REPRISE_ENV;
  return !env || env === "local";
}

/**
 * Reads the flat form of a CUE file: `Name: "value"` fields, one per line (a trailing comma, a quoted field name
 * and `//` comments are allowed; string escapes as in JSON). Anything else (nested structs, multi-line or raw
 * strings, references) is an error naming the line, never a silently wrong value.
 */
export function parseLocalSecrets(text: string, file: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]!).trim();
    if (line === "") continue;
    const m = /^(?:([A-Za-z_$][A-Za-z0-9_$]*)|"((?:[^"\\]|\\.)*)")\s*:\s*("(?:[^"\\]|\\.)*")\s*,?$/.exec(line);
    if (!m) {
      throw new InfraError(
        "RP_SECRETS_FILE",
        `${file}:${i + 1}: expected a line of the form Name: "value" (Reprise reads the flat form of ${LOCAL_SECRETS_FILE}: one string field per line), got ${JSON.stringify(lines[i]!.trim())}`,
      );
    }
    let name: string;
    let value: string;
    try {
      name = m[1] ?? (JSON.parse(`"${m[2]}"`) as string);
      value = JSON.parse(m[3]!) as string;
    } catch {
      throw new InfraError("RP_SECRETS_FILE", `${file}:${i + 1}: unsupported escape in ${JSON.stringify(lines[i]!.trim())} (use JSON string escapes)`);
    }
    const before = out.get(name);
    if (before !== undefined && before !== value) {
      throw new InfraError("RP_SECRETS_FILE", `${file}:${i + 1}: ${name} is set twice with different values`);
    }
    out.set(name, value);
  }
  return out;
}

/** Drops a `//` comment that is not inside a string. */
function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "/" && line[i + 1] === "/") return line.slice(0, i);
  }
  return line;
}

const localSecretsCache = new Map<string, Map<string, string>>();

/** The app's `.secrets.local.cue` (empty when there is none); read once per app root. Throws RP_SECRETS_FILE. */
export function localSecrets(appRoot: string): Map<string, string> {
  let m = localSecretsCache.get(appRoot);
  if (!m) {
    const file = join(appRoot, LOCAL_SECRETS_FILE);
    m = existsSync(file) ? parseLocalSecrets(readFileSync(file, "utf8"), file) : new Map();
    localSecretsCache.set(appRoot, m);
  }
  return m;
}

/** A secret's value, or null when no source sets it. */
export function resolveSecret(name: string): string | null {
  const fromEnv = process.env[`REPRISE_SECRET_${name}`];
  if (fromEnv !== undefined) return fromEnv;
  const s = state();
  if (isLocalEnvironment()) {
    const appRoot = s.appRoot ?? process.env.REPRISE_APP_ROOT ?? process.cwd();
    const v = localSecrets(appRoot).get(name);
    if (v !== undefined) return v;
  }
  return s.config?.secrets[name] ?? null;
}

/** How to set one secret, for the warning and the error. */
function howToSet(name: string, services: string[], config: ResolvedConfig, local: boolean): string {
  const where = config.file ?? "reprise.config.json";
  const ways = [`REPRISE_SECRET_${name}=<value> in the environment`];
  if (local) ways.push(`${name}: "<value>" in ${join(config.appRoot, LOCAL_SECRETS_FILE)}`);
  ways.push(`"secrets": { "${name}": "<value>" } in ${where}${local ? "" : ` (environment "${config.env}")`}`);
  const usedBy = services.length ? ` (used by ${services.map((x) => `"${x}"`).join(", ")})` : "";
  return `  ${name}${usedBy}: set ${ways.join(", or ")}`;
}

/**
 * Start-up check of every secret the app model lists. Local development: returns the warning to print (null
 * when none is missing). Elsewhere: throws RP_SECRET_MISSING naming every missing secret.
 */
export function checkSecrets(model: InfraModel | null, config: ResolvedConfig): string | null {
  const local = isLocalEnvironment();
  const missing = new Map<string, string[]>();
  for (const sec of model?.app.secrets ?? []) {
    if (resolveSecret(sec.name) != null) continue;
    const services = missing.get(sec.name) ?? [];
    if (sec.service && !services.includes(sec.service)) services.push(sec.service);
    missing.set(sec.name, services);
  }
  if (!missing.size) return null;
  const lines = [...missing].map(([name, services]) => howToSet(name, services, config, local));
  const names = [...missing.keys()].join(", ");
  if (local) {
    return `warning: secrets not defined: ${names}\nnote: in local development an unset secret reads as ""; to set one:\n${lines.join("\n")}`;
  }
  throw new InfraError("RP_SECRET_MISSING", `secrets not defined in environment "${config.env}": ${names}\n${lines.join("\n")}`);
}
