/**
 * Positions: a character offset Postgres reports (in a query's text, or in a migration file) → the range of the
 * offending token in the file. A query's text is the template's pieces with `$n` between them; an offset inside
 * a piece maps into the file through the piece's start position, one inside a `$n` to that `${expr}`.
 */
import type { Position, Range } from "@reprise/protocol";
import type { SqlQueryFacts, SqlSegment } from "@reprise/analyzer";

/** Length of the token starting at `offset` in `text` (an identifier, quoted name or string, or one character). */
export function tokenLength(text: string, offset: number): number {
  const c = text[offset];
  if (c === undefined) return 0;
  if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
    let i = offset + 1;
    while (i < text.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(text[i])) i++;
    return i - offset;
  }
  if (c === '"' || c === "'") {
    const end = text.indexOf(c, offset + 1);
    const nl = text.indexOf("\n", offset + 1);
    const stop = end < 0 ? (nl < 0 ? text.length : nl) : nl >= 0 && nl < end ? nl : end + 1;
    return Math.max(1, Math.min(stop - offset, 200));
  }
  if (/[0-9]/.test(c)) {
    let i = offset + 1;
    while (i < text.length && /[0-9.]/.test(text[i])) i++;
    return i - offset;
  }
  return 1;
}

/** The position `count` characters after `start` in `raw` (which begins at `start`). */
export function advance(start: Position, raw: string, count: number): Position {
  let line = start.line;
  let character = start.character;
  const n = Math.min(count, raw.length);
  for (let i = 0; i < n; i++) {
    if (raw[i] === "\n") {
      line++;
      character = 0;
    } else character++;
  }
  return { line, character };
}

/** The range in the file of the token at `offset` (0-based) of the query's text. */
export function queryRangeAt(q: Pick<SqlQueryFacts, "text" | "segments" | "params" | "textRange">, offset: number): Range {
  const seg = segmentAt(q.segments, offset);
  if (!seg) {
    // Inside a `$n`: the `${expr}` it stands for.
    const m = /^\$(\d+)/.exec(q.text.slice(offset)) ?? /\$(\d+)$/.exec(q.text.slice(Math.max(0, offset - 6), offset + 1));
    const p = m ? q.params[Number(m[1]) - 1] : undefined;
    return p ?? q.textRange;
  }
  const local = offset - seg.sqlOffset;
  const len = Math.max(1, Math.min(tokenLength(q.text, offset), seg.sqlOffset + seg.length - offset));
  if (seg.raw.length !== seg.length) {
    // Escapes make the written piece longer than the SQL: point at the piece's start, one character.
    return { start: seg.start, end: advance(seg.start, seg.raw, 1) };
  }
  return { start: advance(seg.start, seg.raw, local), end: advance(seg.start, seg.raw, local + len) };
}

function segmentAt(segments: readonly SqlSegment[], offset: number): SqlSegment | undefined {
  for (const s of segments) if (offset >= s.sqlOffset && offset < s.sqlOffset + s.length) return s;
  // Right at the end of the text (e.g. "syntax error at end of input"): the last piece's end.
  const last = segments[segments.length - 1];
  if (last && offset === last.sqlOffset + last.length && last.length > 0) return { ...last, sqlOffset: last.sqlOffset, length: last.length + 1 };
  return undefined;
}

/** The range of the token at `offset` (0-based) of a whole file's text. */
export function fileRangeAt(text: string, offset: number): Range {
  const start = advance({ line: 0, character: 0 }, text, offset);
  const len = Math.max(1, tokenLength(text, offset));
  return { start, end: advance(start, text.slice(offset), len) };
}
