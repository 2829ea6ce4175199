/**
 * API path syntax (surface doc §1.4): `/literal`, `:param`, `*wildcard` (last), `!fallback` (last). Problems carry
 * character offsets inside the path string so diagnostics can underline the exact segment.
 */
import type { PathSegment } from "@reprise/protocol";
import { D } from "./diagnostics/catalogue.js";
import type { DiagnosticDefinition } from "./diagnostics/define.js";

export interface PathProblem {
  def: DiagnosticDefinition;
  message: string;
  /** Offsets in the path string [start, end). */
  start: number;
  end: number;
  /** Replacement for the whole path, when mechanical. */
  fixed?: string;
  fixTitle?: string;
}

export interface ParsedPath {
  segments: PathSegment[];
  problems: PathProblem[];
}

const LITERAL_OK = /^[A-Za-z0-9\-._~%!$&'()+,;=@]*$/;
const NAME_OK = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function parsePath(path: string): ParsedPath {
  const problems: PathProblem[] = [];
  const segments: PathSegment[] = [];
  const all = (def: DiagnosticDefinition, message: string, extra: Partial<PathProblem> = {}): ParsedPath => ({
    segments: [],
    problems: [{ def, message, start: 0, end: path.length, ...extra }],
  });
  if (path === "") return all(D.PathEmpty, "The path is empty; use \"/\" or remove `path` to get the default /<service>.<endpoint>.");
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(path);
  if (scheme || path.startsWith("//")) {
    const m = /^(?:[a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/[^/]*/.exec(path)!;
    const rest = path.slice(m[0].length) || "/";
    return all(D.PathAbsoluteUrl, `The path must not contain a scheme or host ('${m[0]}'); give only the path, e.g. "${rest}".`, { end: m[0].length, fixed: rest, fixTitle: `Use "${rest}"` });
  }
  if (!path.startsWith("/")) {
    return all(D.PathNoSlash, `The path must start with '/': write "/${path}".`, { fixed: "/" + path, fixTitle: `Add leading '/'` });
  }
  const q = path.indexOf("?");
  if (q >= 0) {
    const fixed = path.slice(0, q) || "/";
    return all(D.PathQuery, "The path must not contain a query string; declare query parameters as fields of the request type instead.", { start: q, fixed, fixTitle: "Remove the query string" });
  }
  const h = path.indexOf("#");
  if (h >= 0) return all(D.PathFragment, "The path must not contain a URL fragment ('#').", { start: h, fixed: path.slice(0, h) || "/", fixTitle: "Remove the fragment" });
  if (path === "/") return { segments: [], problems };
  const parts = path.slice(1).split("/");
  let offset = 1;
  const seen = new Map<string, number>();
  parts.forEach((seg, i) => {
    const start = offset;
    const end = offset + seg.length;
    offset = end + 1;
    if (seg === "") {
      const fixed = "/" + parts.filter((p) => p !== "").join("/");
      problems.push({ def: D.PathEmptySegment, message: i === parts.length - 1 ? "The path must not end with '/'." : "The path contains an empty segment ('//').", start: Math.max(0, start - 1), end: start, fixed, fixTitle: "Remove the extra '/'" });
      return;
    }
    const c = seg[0];
    if (c === ":" || c === "*" || c === "!") {
      const name = seg.slice(1);
      const type = c === ":" ? "param" : c === "*" ? "wildcard" : "fallback";
      if (name === "") {
        problems.push({ def: D.PathParamNoName, message: `The '${c}' segment needs a parameter name, e.g. '${c}id'.`, start, end });
        return;
      }
      if (!NAME_OK.test(name)) {
        problems.push({ def: D.PathInvalidChar, message: `'${name}' is not a valid parameter name: use letters, digits and '_' (starting with a letter or '_').`, start: start + 1, end });
        return;
      }
      if (type !== "param" && i !== parts.length - 1) {
        problems.push({ def: type === "wildcard" ? D.PathWildcardNotLast : D.PathFallbackNotLast, message: `The ${type} segment '${seg}' matches the rest of the path, so it must be the last segment.`, start, end });
      }
      const prev = seen.get(name);
      if (prev !== undefined) {
        problems.push({ def: D.PathDuplicateParam, message: `Parameter '${name}' appears twice in the path; rename one.`, start, end });
      }
      seen.set(name, start);
      segments.push({ type, value: name, valueType: "string" });
      return;
    }
    if (!LITERAL_OK.test(seg)) {
      const bad = [...seg].findIndex((ch) => !LITERAL_OK.test(ch));
      problems.push({ def: D.PathInvalidChar, message: `The path contains an invalid character '${seg[bad]}'; use letters, digits and -._~ in literal segments.`, start: start + bad, end: start + bad + 1 });
      return;
    }
    segments.push({ type: "literal", value: seg });
  });
  return { segments, problems };
}

export function pathParams(segments: PathSegment[]): string[] {
  return segments.filter((s) => s.type !== "literal").map((s) => s.value);
}
