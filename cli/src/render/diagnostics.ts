/**
 * Human rendering of diagnostics, tsc style: `file:line:col - error RP2001: message`, a source excerpt and a
 * caret underline. Colours only when the stream is a TTY and NO_COLOR is unset. Positions are 1-based here;
 * the app model itself keeps LSP's 0-based lines and characters.
 */
import type { Diagnostic } from "@reprise/protocol";

export interface RenderOptions {
  color: boolean;
  /** Source text by file (relative to the app root), for excerpts. */
  source: (file: string) => string | undefined;
  /** How file paths are printed (e.g. relative to the current directory). */
  displayPath?: (file: string) => string;
}

const SGR = { red: "31", yellow: "33", cyan: "36", blue: "34", gray: "90", bold: "1" } as const;

export function useColor(stream: { isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY) && !process.env.NO_COLOR && process.env.TERM !== "dumb";
}

export function renderDiagnostic(d: Diagnostic, opts: RenderOptions): string {
  const c = (code: keyof typeof SGR, s: string) => (opts.color ? `\u001b[${SGR[code]}m${s}\u001b[0m` : s);
  const sevColor = d.severity === "error" ? "red" : d.severity === "warning" ? "yellow" : "blue";
  const path = opts.displayPath ? opts.displayPath(d.file) : d.file;
  const head = `${c("cyan", path)}:${c("yellow", String(d.range.start.line + 1))}:${c("yellow", String(d.range.start.character + 1))} - ${c(sevColor, d.severity)} ${c("gray", d.code + ":")} ${d.message}`;
  const lines = [head];
  const text = opts.source(d.file);
  if (text) lines.push("", ...excerpt(text, d, (s) => c(sevColor, s), (s) => c("gray", s)));
  for (const r of d.related) {
    const rp = opts.displayPath ? opts.displayPath(r.location.file) : r.location.file;
    lines.push(`  ${c("cyan", rp)}:${r.location.range.start.line + 1}:${r.location.range.start.character + 1}: ${r.message}`);
  }
  for (const f of d.fixes) lines.push(`  ${c("gray", "fix:")} ${f.title}`);
  return lines.join("\n");
}

/** Source lines longer than this are shown as a window around the marked column. */
const MAX_EXCERPT_WIDTH = 160;

function excerpt(text: string, d: Diagnostic, mark: (s: string) => string, dim: (s: string) => string): string[] {
  const src = text.split(/\r?\n/);
  const { start, end } = d.range;
  if (start.line >= src.length) return [];
  const out: string[] = [];
  const last = Math.min(end.line, start.line + 2, src.length - 1);
  const width = String(last + 1).length;
  for (let l = start.line; l <= last; l++) {
    const full = src[l].replace(/\t/g, " ");
    let from = l === start.line ? start.character : full.length - full.trimStart().length;
    let to = l === end.line ? end.character : full.length;
    // Long lines (minified or generated code) show a window around the marked span.
    let line = full;
    if (full.length > MAX_EXCERPT_WIDTH) {
      const left = Math.max(0, Math.min(from - 40, full.length - MAX_EXCERPT_WIDTH));
      const right = Math.min(full.length, left + MAX_EXCERPT_WIDTH);
      line = (left > 0 ? "…" : "") + full.slice(left, right) + (right < full.length ? "…" : "");
      const shift = left > 0 ? left - 1 : 0;
      from = Math.max(0, from - shift);
      to = Math.min(line.length, Math.max(from + 1, to - shift));
    }
    out.push(`${dim(String(l + 1).padStart(width))} ${line}`);
    const len = Math.max(1, to - from);
    out.push(`${" ".repeat(width)} ${" ".repeat(Math.min(from, line.length))}${mark("~".repeat(len))}`);
  }
  out.push("");
  return out;
}

export function summary(diags: readonly Diagnostic[], color: boolean): string {
  const errors = diags.filter((d) => d.severity === "error").length;
  const warnings = diags.filter((d) => d.severity === "warning").length;
  const files = new Set(diags.filter((d) => d.severity === "error").map((d) => d.file)).size;
  if (errors === 0 && warnings === 0) return "No problems found.";
  const e = `Found ${errors} error${errors === 1 ? "" : "s"}${errors ? ` in ${files} file${files === 1 ? "" : "s"}` : ""}`;
  const s = `${e}${warnings ? `, ${warnings} warning${warnings === 1 ? "" : "s"}` : ""}.`;
  return color && errors ? `\u001b[1m${s}\u001b[0m` : s;
}
