/**
 * Where the runtime config file (`reprise.config.json` / `infra.config.json`, docs/runtime-config.md) spells an
 * infrastructure name as a key: `sql.databases.<name>`, `buckets.buckets.<name>`, `secrets.<Name>`, at the top
 * level and under `environments.<env>`. Pure: text in, key ranges out (quotes included), for rename and
 * references. A file that is not valid JSON yields the keys read before the error (never throws).
 */
import type { Range } from "@reprise/protocol";

export const RUNTIME_CONFIG_FILES = ["reprise.config.json", "infra.config.json"] as const;

export interface ConfigNameSite {
  kind: "database" | "bucket" | "secret";
  name: string;
  /** The key string with its quotes. */
  range: Range;
}

class JsonScanner {
  i = 0;
  constructor(readonly text: string) {}

  ws(): void {
    const t = this.text;
    for (;;) {
      const c = t.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) this.i++;
      else if (c === 47 && t[this.i + 1] === "/") while (this.i < t.length && t[this.i] !== "\n") this.i++;
      else if (c === 47 && t[this.i + 1] === "*") {
        const end = t.indexOf("*/", this.i + 2);
        this.i = end < 0 ? t.length : end + 2;
      } else return;
    }
  }

  string(): { value: string; start: number; end: number } {
    const start = this.i;
    if (this.text[this.i] !== '"') throw new Error("expected string");
    this.i++;
    while (this.i < this.text.length && this.text[this.i] !== '"') this.i += this.text[this.i] === "\\" ? 2 : 1;
    if (this.i >= this.text.length) throw new Error("unterminated string");
    this.i++;
    return { value: JSON.parse(this.text.slice(start, this.i)) as string, start, end: this.i };
  }

  /** Walks one value; `onKey` sees each object key with its path. */
  value(path: string[], onKey: (path: string[], key: { value: string; start: number; end: number }) => void, depth = 0): void {
    if (depth > 64) throw new Error("too deep");
    this.ws();
    const c = this.text[this.i];
    if (c === "{") {
      this.i++;
      for (;;) {
        this.ws();
        if (this.text[this.i] === "}") return void this.i++;
        const k = this.string();
        onKey(path, k);
        this.ws();
        if (this.text[this.i] !== ":") throw new Error("expected :");
        this.i++;
        this.value([...path, k.value], onKey, depth + 1);
        this.ws();
        if (this.text[this.i] === ",") this.i++;
        else if (this.text[this.i] === "}") return void this.i++;
        else throw new Error("expected , or }");
      }
    }
    if (c === "[") {
      this.i++;
      for (;;) {
        this.ws();
        if (this.text[this.i] === "]") return void this.i++;
        this.value([...path, "[]"], onKey, depth + 1);
        this.ws();
        if (this.text[this.i] === ",") this.i++;
        else if (this.text[this.i] === "]") return void this.i++;
        else throw new Error("expected , or ]");
      }
    }
    if (c === '"') return void this.string();
    const m = /^(?:-?\d[\d.eE+-]*|true|false|null)/.exec(this.text.slice(this.i, this.i + 64));
    if (!m) throw new Error("unexpected token");
    this.i += m[0].length;
  }
}

function kindOf(path: string[]): ConfigNameSite["kind"] | null {
  const p = path[0] === "environments" && path.length >= 2 ? path.slice(2) : path;
  if (p.length === 2 && p[0] === "sql" && p[1] === "databases") return "database";
  if (p.length === 2 && p[0] === "buckets" && p[1] === "buckets") return "bucket";
  if (p.length === 1 && p[0] === "secrets") return "secret";
  return null;
}

export function configNameSites(text: string): ConfigNameSite[] {
  const out: ConfigNameSite[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const pos = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - lineStarts[lo] };
  };
  try {
    new JsonScanner(text).value([], (path, key) => {
      const kind = kindOf(path);
      if (kind) out.push({ kind, name: key.value, range: { start: pos(key.start), end: pos(key.end) } });
    });
  } catch {
    // Invalid JSON: keep what was read; the runtime reports the error when it loads the file.
  }
  return out;
}
