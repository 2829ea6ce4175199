/**
 * Module resolution inside the app, with no IO: the set of input paths is the file system. Handles relative
 * specifiers (extensionless, `.js` → `.ts`, `/index.ts`) and the app's tsconfig `paths` aliases.
 */
import { stripJsonComments } from "./jsonc.js";

const EXTS = [".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".mjs", ".cjs", ".jsx"];

export function dirname(p: string): string {
  const i = p.lastIndexOf("/");
  return i < 0 ? "" : p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** Joins and normalises; returns null when the result escapes the app root. */
export function joinPath(dir: string, rel: string): string | null {
  const out: string[] = dir === "" ? [] : dir.split("/");
  if (rel.startsWith("/")) return null;
  for (const part of rel.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(part);
  }
  return out.join("/");
}

/** One `compilerOptions.paths` entry: `prefix*suffix` (or an exact name) → targets relative to the app root. */
export interface PathAlias {
  prefix: string;
  suffix: string;
  wildcard: boolean;
  targets: string[];
}

/**
 * The `paths` aliases of a tsconfig.json text (with `baseUrl` applied; targets relative to the tsconfig's folder).
 * Best effort: an unparsable tsconfig has none. Also used by `reprise test`'s module hooks.
 */
export function tsconfigPathAliases(text: string | undefined): PathAlias[] {
  const out: PathAlias[] = [];
  if (!text) return out;
  try {
    const cfg = JSON.parse(stripJsonComments(text));
    const base = typeof cfg?.compilerOptions?.baseUrl === "string" ? joinPath("", cfg.compilerOptions.baseUrl) ?? "" : "";
    const paths = cfg?.compilerOptions?.paths;
    if (paths && typeof paths === "object") {
      for (const [pattern, targets] of Object.entries(paths)) {
        if (!Array.isArray(targets)) continue;
        const star = pattern.indexOf("*");
        out.push({
          prefix: star < 0 ? pattern : pattern.slice(0, star),
          suffix: star < 0 ? "" : pattern.slice(star + 1),
          wildcard: star >= 0,
          targets: targets.filter((t): t is string => typeof t === "string").map((t) => (base ? `${base}/${t}` : t)),
        });
      }
    }
  } catch {
    // An unparsable tsconfig only disables aliases.
  }
  return out;
}

/** The candidate paths (relative to the app root) of `specifier` under the aliases, in order; [] when none applies. */
export function aliasCandidates(aliases: readonly PathAlias[], specifier: string): string[] {
  const out: string[] = [];
  for (const a of aliases) {
    if (!specifier.startsWith(a.prefix) || !specifier.endsWith(a.suffix)) continue;
    if (!a.wildcard && specifier !== a.prefix) continue;
    if (a.wildcard && specifier.length < a.prefix.length + a.suffix.length) continue;
    const mid = a.wildcard ? specifier.slice(a.prefix.length, specifier.length - a.suffix.length) : "";
    for (const t of a.targets) {
      const p = joinPath("", t.replace("*", mid));
      if (p !== null) out.push(p);
    }
  }
  return out;
}

export class ModuleResolver {
  private readonly cache = new Map<string, string | null>();
  private aliases: PathAlias[] = [];

  constructor(private readonly has: (path: string) => boolean) {}

  /** Reads `compilerOptions.paths`/`baseUrl` of the root tsconfig.json (best effort; bad JSON is ignored). */
  setTsconfig(text: string | undefined): void {
    this.cache.clear();
    this.aliases = tsconfigPathAliases(text);
  }

  clear(): void {
    this.cache.clear();
  }

  resolve(fromFile: string, specifier: string): string | undefined {
    const key = `${dirname(fromFile)}\u0000${specifier}`;
    let hit = this.cache.get(key);
    if (hit === undefined) {
      hit = this.compute(fromFile, specifier);
      this.cache.set(key, hit);
    }
    return hit ?? undefined;
  }

  private compute(fromFile: string, specifier: string): string | null {
    if (specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..") {
      const p = joinPath(dirname(fromFile), specifier);
      return p === null ? null : this.probe(p);
    }
    for (const p of aliasCandidates(this.aliases, specifier)) {
      const hit = this.probe(p);
      if (hit) return hit;
    }
    return null;
  }

  private probe(p: string): string | null {
    if (/\.[cm]?[jt]sx?$/.test(p) && this.has(p)) return p;
    const m = /^(.*)\.([cm]?)js(x?)$/.exec(p);
    if (m) {
      for (const c of [`${m[1]}.${m[2]}ts${m[3]}`, `${m[1]}.d.ts`]) if (this.has(c)) return c;
    }
    for (const e of EXTS) if (this.has(p + e)) return p + e;
    for (const e of EXTS) if (this.has(`${p}/index${e}`)) return `${p}/index${e}`;
    return null;
  }
}
