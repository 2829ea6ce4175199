/**
 * Client settings under the `reprise` section, read per app root (workspace/configuration with the root as
 * scope) and cached; `invalidate()` is the one place the cache is dropped (on didChangeConfiguration).
 * Unknown or malformed values fall back to defaults instead of failing.
 */
import type { Severity } from "@reprise/protocol";

export type TraceLevel = "off" | "messages" | "verbose";

export interface Settings {
  codeLens: { enable: boolean };
  trace: { server: TraceLevel };
  diagnostics: { severity: Record<string, Severity | "off"> };
  /**
   * The guard's limits (docs/lsp.md); null = the analyser's default. `sql`: check migrations and queries against
   * an embedded Postgres (sqlcheck); off frees the checker's memory (a PGlite instance per database).
   */
  analysis: { maxNestingDepth: number | null; maxFileSize: number | null; sql: boolean };
}

export const defaultSettings = (): Settings => ({
  codeLens: { enable: true },
  trace: { server: "off" },
  diagnostics: { severity: {} },
  analysis: { maxNestingDepth: null, maxFileSize: null, sql: true },
});

const SEVERITIES = new Set(["error", "warning", "info", "hint", "off"]);

/** Accepts both nested objects and VS Code's flattened dotted keys ("codeLens.enable": false). */
export function parseSettings(raw: unknown): Settings {
  const out = defaultSettings();
  if (!raw || typeof raw !== "object") return out;
  const r = raw as Record<string, unknown>;
  const get = (dotted: string): unknown => {
    if (dotted in r) return r[dotted];
    let cur: unknown = r;
    for (const part of dotted.split(".")) {
      if (!cur || typeof cur !== "object") return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
  };
  const lens = get("codeLens.enable");
  if (typeof lens === "boolean") out.codeLens.enable = lens;
  const trace = get("trace.server");
  if (trace === "off" || trace === "messages" || trace === "verbose") out.trace.server = trace;
  const sev = get("diagnostics.severity");
  if (sev && typeof sev === "object") {
    for (const [code, value] of Object.entries(sev as Record<string, unknown>)) {
      if (/^RP\d{4}$/.test(code) && typeof value === "string" && SEVERITIES.has(value)) {
        out.diagnostics.severity[code] = value as Severity | "off";
      }
    }
  }
  const depth = get("analysis.maxNestingDepth");
  if (typeof depth === "number" && Number.isFinite(depth) && depth >= 1) out.analysis.maxNestingDepth = Math.floor(depth);
  const size = get("analysis.maxFileSize");
  if (typeof size === "number" && Number.isFinite(size) && size >= 1) out.analysis.maxFileSize = Math.floor(size);
  const sql = get("analysis.sql");
  if (typeof sql === "boolean") out.analysis.sql = sql;
  return out;
}

export function sameLimits(a: Settings, b: Settings): boolean {
  return a.analysis.maxNestingDepth === b.analysis.maxNestingDepth && a.analysis.maxFileSize === b.analysis.maxFileSize;
}

export function sameSeverities(a: Settings, b: Settings): boolean {
  const ka = Object.keys(a.diagnostics.severity).sort();
  const kb = Object.keys(b.diagnostics.severity).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a.diagnostics.severity[k] === b.diagnostics.severity[k]);
}

export class SettingsCache {
  private readonly byRoot = new Map<string, Settings>();
  /** Settings pushed by didChangeConfiguration or initializationOptions (clients without workspace/configuration). */
  pushed: Settings | undefined;

  constructor(private readonly fetch: ((scopeUris: string[]) => Promise<unknown[]>) | undefined) {}

  async get(rootUri: string): Promise<Settings> {
    const hit = this.byRoot.get(rootUri);
    if (hit) return hit;
    let settings = this.pushed ?? defaultSettings();
    if (this.fetch) {
      try {
        const [raw] = await this.fetch([rootUri]);
        if (raw !== undefined && raw !== null) settings = parseSettings(raw);
      } catch {
        // A client that fails workspace/configuration keeps the pushed or default settings.
      }
    }
    this.byRoot.set(rootUri, settings);
    return settings;
  }

  /** Last known settings without waiting (defaults before the first fetch). */
  peek(rootUri: string): Settings {
    return this.byRoot.get(rootUri) ?? this.pushed ?? defaultSettings();
  }

  invalidate(pushedRaw?: unknown): void {
    this.byRoot.clear();
    if (pushedRaw !== undefined) this.pushed = parseSettings(pushedRaw);
  }
}
