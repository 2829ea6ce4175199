/**
 * One parsed source file: the swc AST plus the line index that turns swc's spans (UTF-8 byte offsets, base 1
 * per parseSync call) into LSP positions (0-based line, UTF-16 character). Parsing never throws: a syntax error
 * becomes `syntaxError` with a precise range and `module` is null.
 */
import { parseSync } from "@swc/core";
import type { Module, Span } from "@swc/core";
import type { Position, Range } from "@reprise/protocol";
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_NESTING_DEPTH, measureNesting, utf8LengthOver } from "./guard.js";

export interface SyntaxErrorInfo {
  message: string;
  range: Range;
}

/** Why a file is not analysed: the guard kept it from the parser (see guard.ts), or the parser process crashed on it. */
export type RefusalInfo =
  | { reason: "too-deep"; limit: number; range: Range }
  | { reason: "too-large"; limit: number; bytes: number }
  | { reason: "parser-crashed"; detail: string };

/** swc's parser options, as parsed-file.ts builds them for a path. */
export type SwcParseOptions = Parameters<typeof parseSync>[1];

/**
 * Runs the parser. The default calls swc in this process; a host (the language server) may run it elsewhere,
 * e.g. in a child process for a file that once crashed the parser natively. It throws NativeParserCrash when the
 * parser died instead of answering, any other error for a syntax error (swc's message).
 */
export interface ParserHost {
  parse(path: string, text: string, options: SwcParseOptions): Module;
}

/** The parser's process died (a native crash) instead of parsing; the file is reported as not analysed (RP1007). */
export class NativeParserCrash extends Error {
  constructor(readonly detail: string) {
    super(`the parser crashed: ${detail}`);
  }
}

export const IN_PROCESS_PARSER: ParserHost = { parse: (_path, text, options) => parseSync(text, options) };

export interface ParseLimits {
  /** Estimated nesting depth above which the file is not parsed (guard.ts). */
  maxNestingDepth: number;
  /** UTF-8 size above which the file is not parsed. */
  maxFileBytes: number;
}

export const DEFAULT_PARSE_LIMITS: ParseLimits = Object.freeze({ maxNestingDepth: DEFAULT_MAX_NESTING_DEPTH, maxFileBytes: DEFAULT_MAX_FILE_BYTES });

/** swc reports every span relative to this base for a single parseSync call. */
const SWC_SPAN_BASE = 1;

export class ParsedFile {
  readonly path: string;
  readonly text: string;
  readonly module: Module | null;
  readonly syntaxError: SyntaxErrorInfo | null;
  /** Set when the guard refused the file (too large or nested too deep); `module` is then null. */
  refused: RefusalInfo | null = null;
  /** UTF-16 offsets of the start of each line. */
  private readonly lineStarts: number[];
  /** null when the text is ASCII-only (byte offset == UTF-16 offset). */
  private readonly byteToUtf16: Uint32Array | null;

  private constructor(path: string, text: string, module: Module | null, syntaxError: SyntaxErrorInfo | null, lineStarts: number[], byteToUtf16: Uint32Array | null) {
    this.path = path;
    this.text = text;
    this.module = module;
    this.syntaxError = syntaxError;
    this.lineStarts = lineStarts;
    this.byteToUtf16 = byteToUtf16;
  }

  /**
   * Parses `text` unless the guard refuses it: over `maxFileBytes` (or `knownBytes`, the size on disk when the
   * caller did not read an oversized file), or nested deeper than `maxNestingDepth`.
   */
  static parse(path: string, text: string, limits: ParseLimits = DEFAULT_PARSE_LIMITS, knownBytes?: number, parser: ParserHost = IN_PROCESS_PARSER): ParsedFile {
    const tsx = path.endsWith(".tsx");
    const isJs = /\.(m|c)?jsx?$/.test(path);
    const bytes = knownBytes !== undefined && knownBytes > limits.maxFileBytes ? knownBytes : utf8LengthOver(text, limits.maxFileBytes);
    if (bytes !== null) {
      const pf = new ParsedFile(path, text, null, null, [0], null);
      pf.refused = { reason: "too-large", limit: limits.maxFileBytes, bytes };
      return pf;
    }
    const lineStarts = computeLineStarts(text);
    const byteToUtf16 = isAscii(text) ? null : buildByteMap(text);
    const nesting = measureNesting(text, tsx || (isJs && path.endsWith("x")), limits.maxNestingDepth);
    if (nesting.offset >= 0) {
      const pf = new ParsedFile(path, text, null, null, lineStarts, byteToUtf16);
      const start = pf.positionAt(nesting.offset);
      pf.refused = { reason: "too-deep", limit: limits.maxNestingDepth, range: { start, end: pf.positionAt(Math.min(nesting.offset + 1, text.length)) } };
      return pf;
    }
    try {
      const module = parser.parse(path, text, {
        syntax: isJs ? "ecmascript" : "typescript",
        tsx,
        jsx: isJs && path.endsWith("x"),
        decorators: true,
        comments: false,
        target: "es2022",
      } as SwcParseOptions);
      return new ParsedFile(path, text, module, null, lineStarts, byteToUtf16);
    } catch (err) {
      if (err instanceof NativeParserCrash) {
        const pf = new ParsedFile(path, text, null, null, lineStarts, byteToUtf16);
        pf.refused = { reason: "parser-crashed", detail: err.detail };
        return pf;
      }
      const pf = new ParsedFile(path, text, null, null, lineStarts, byteToUtf16);
      const info = parseSwcError(String((err as Error)?.message ?? err), pf);
      return new ParsedFile(path, text, null, info, lineStarts, byteToUtf16);
    }
  }

  /** UTF-16 offset of a swc byte position. */
  offsetOf(swcPos: number): number {
    const byte = Math.max(0, swcPos - SWC_SPAN_BASE);
    if (!this.byteToUtf16) return Math.min(byte, this.text.length);
    return this.byteToUtf16[Math.min(byte, this.byteToUtf16.length - 1)];
  }

  positionAt(offset: number): Position {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
  }

  offsetAt(position: Position): number {
    const line = Math.min(Math.max(position.line, 0), this.lineStarts.length - 1);
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] : this.text.length;
    return Math.min(this.lineStarts[line] + Math.max(position.character, 0), next);
  }

  /** LSP range of a swc span. */
  rangeOf(span: Span): Range {
    return { start: this.positionAt(this.offsetOf(span.start)), end: this.positionAt(this.offsetOf(span.end)) };
  }

  /** Source text of a swc span. */
  textOf(span: Span): string {
    return this.text.slice(this.offsetOf(span.start), this.offsetOf(span.end));
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 127) return false;
  return true;
}

/** Maps each UTF-8 byte offset (and one past the end) to the UTF-16 offset of the character it belongs to. */
function buildByteMap(text: string): Uint32Array {
  const bytes = Buffer.byteLength(text, "utf8");
  const map = new Uint32Array(bytes + 1);
  let b = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.codePointAt(i)!;
    const width = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    for (let k = 0; k < width; k++) map[b + k] = i;
    b += width;
    if (c >= 0x10000) i++; // surrogate pair: two UTF-16 units
  }
  map[bytes] = text.length;
  return map;
}

/**
 * swc's message looks like "  x Expected '{', got '=>'\n   ,-[2:1]\n 1 | ...\n 2 | code\n   :      ^^\n". The
 * caret line locates the column; the last numbered line before it is the line.
 */
function parseSwcError(raw: string, file: ParsedFile): SyntaxErrorInfo {
  const lines = raw.split("\n");
  const first = lines.find((l) => /^\s*x /.test(l));
  const message = (first ? first.replace(/^\s*x /, "") : lines[0] || "syntax error").trim();
  let line = -1;
  let character = 0;
  let width = 1;
  for (let i = 0; i < lines.length; i++) {
    const caret = /^(\s*:\s?)(\s*)(\^+)/.exec(lines[i]);
    if (!caret) continue;
    for (let j = i - 1; j >= 0; j--) {
      const code = /^\s*(\d+)\s\|\s?/.exec(lines[j]);
      if (code) {
        line = Number(code[1]) - 1;
        // The caret line's prefix ("   : ") is as wide as the code line's (" 2 | ").
        const prefixWidth = code[0].length;
        character = Math.max(0, caret[1].length + caret[2].length - prefixWidth);
        width = caret[3].length;
        break;
      }
    }
    break;
  }
  if (line < 0) {
    const head = /,-\[(\d+):(\d+)\]/.exec(raw);
    line = head ? Number(head[1]) - 1 : 0;
    character = head ? Number(head[2]) - 1 : 0;
  }
  line = Math.min(Math.max(line, 0), file.lineCount - 1);
  const start = { line, character };
  const endOffset = Math.min(file.offsetAt(start) + width, file.text.length);
  return { message, range: { start, end: file.positionAt(Math.max(endOffset, file.offsetAt(start))) } };
}
