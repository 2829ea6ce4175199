/**
 * The pre-parse guard: decides, before swc sees a file, whether parsing it is safe. swc's parser, its JSON
 * serialiser and its AST drop are recursive native code: a file nested a few thousand levels deep overflows the
 * native stack and the process dies with SIGSEGV (no exception to catch). Our own AST walkers are recursive JS
 * too. So files are measured first and refused with a diagnostic when they are too large or nest too deep.
 *
 * The measure is a conservative over-estimate of the parse tree's depth, computed by one linear, iterative pass
 * over the text (no recursion, O(n) time, O(depth) memory). It is a small lexer that knows strings, comments,
 * regular expressions, template literals and JSX text, so brackets inside them do not count. A level is
 *  - an open bracket: `(`, `[`, `{`, a template literal and each of its `${`, a JSX element or expression
 *    container, a `<` that may open type arguments (closed by its `>`, or dropped at the end of the statement);
 *  - plus, inside each bracket, one per operator or keyword that nests without brackets (binary, unary and
 *    assignment operators, `=>`, `?`, `:`, `.`, `if`, `while`, `new`, `await`, `typeof`, `keyof`, ...), counted
 *    until the statement or list element ends (`;`, `,`, a line break or `}` that ends a statement). A `;` or
 *    `}` followed by `else` keeps counting (an `else if` chain nests).
 * Counting every such token as a full level over-counts ordinary code a little (a 40-term `+` chain counts 40)
 * and never under-counts what swc nests, which the fuzz test checks against swc's own AST on every mutation.
 *
 * Measured on @swc/core 1.16.22 (8 MB main-thread stack; see docs/diagnostics.md RP1005): the cheapest shapes to
 * crash swc are parenthesised expressions (~3,000 counted levels), type arguments `A<A<...>>` (~2,800) and
 * nested functions (`function () { return ...`, ~5,800 counted). The default limit, 500, keeps a margin of five;
 * the ceiling a setting can raise it to, 1,000, a margin of almost three.
 */

export const DEFAULT_MAX_NESTING_DEPTH = 500;
/** Settings above this are clamped: beyond it, swc's native stack can overflow on some shapes. */
export const MAX_NESTING_DEPTH_CEILING = 1000;
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export interface NestingMeasure {
  /** The largest estimated depth seen (stops growing once the limit is passed). */
  depth: number;
  /** UTF-16 offset of the token that first went past the limit; -1 when the limit was never passed. */
  offset: number;
}

// Frame kinds.
const TOP = 0;
const PAREN = 1;
const BRACKET = 2;
const BRACE = 3;
const ANGLE = 4; // `<` that may open type arguments; soft: dropped at the end of a statement or by a closer
const TEMPLATE = 5; // inside a template literal's text
const DOLLAR = 6; // `${ ... }` inside a template literal
const JSX_TAG = 7; // inside `<name ...` up to `>` or `/>`
const JSX_CHILDREN = 8; // between `<name>` and `</name>`
const JSX_EXPR = 9; // `{ ... }` inside JSX (attribute value or child)
const HEAD_PAREN = 10; // `(` of if/while/for/with: its `)` ends an expression but starts a statement

/** Keywords that nest the following expression or statement without brackets. */
const NESTING_KEYWORDS = new Set(["return", "function", "class", "if", "while", "for", "with", "do", "typeof", "void", "delete", "await", "yield", "new", "keyof", "readonly", "unique", "infer", "extends", "in", "instanceof", "as", "satisfies", "is", "asserts"]);
/** Keywords after which an expression starts (so `/` is a regex and `<` may be JSX). */
const EXPRESSION_START_KEYWORDS = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await", "extends", "export", "default", "if", "while", "for", "with", "switch"]);
/** After these, a line break does not end the statement. */
const CONTINUATION_KEYWORDS = new Set(["in", "instanceof", "as", "satisfies", "of", "extends", "is", "else", "keyof"]);
/** Keywords that are values (they end an expression). */
const VALUE_KEYWORDS = new Set(["this", "super", "null", "true", "false", "undefined"]);
/** Length of the operator or punctuator token at `i` (maximal munch over JS/TS operators). */
function operatorLength(text: string, i: number): number {
  const c = text.charCodeAt(i);
  const d = text.charCodeAt(i + 1);
  const e = text.charCodeAt(i + 2);
  switch (c) {
    case 61: // =
      if (d === 61) return e === 61 ? 3 : 2; // == ===
      return d === 62 ? 2 : 1; // =>
    case 33: // !
      if (d === 61) return e === 61 ? 3 : 2;
      return 1;
    case 62: // >
      if (d === 62) {
        if (e === 62) return text.charCodeAt(i + 3) === 61 ? 4 : 3;
        return e === 61 ? 3 : 2;
      }
      return d === 61 ? 2 : 1;
    case 60: // <
      if (d === 60) return e === 61 ? 3 : 2;
      return d === 61 ? 2 : 1;
    case 42: // *
      if (d === 42) return e === 61 ? 3 : 2;
      return d === 61 ? 2 : 1;
    case 38: // &
    case 124: // |
      if (d === c) return e === 61 ? 3 : 2;
      return d === 61 ? 2 : 1;
    case 63: // ?
      if (d === 63) return e === 61 ? 3 : 2;
      return d === 46 && !(e >= 48 && e <= 57) ? 2 : 1; // ?. (not ?.5)
    case 46: // .
      return d === 46 && e === 46 ? 3 : 1;
    case 43: // +
    case 45: // -
      return d === c || d === 61 ? 2 : 1;
    case 47: // /
    case 37: // %
    case 94: // ^
      return d === 61 ? 2 : 1;
    default:
      return 1;
  }
}

const isIdentStart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 36 || c === 95 || c === 92 || c === 35 || c >= 128;
const isIdentPart = (c: number) => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number) => c >= 48 && c <= 57;
const isLineBreak = (c: number) => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/**
 * Measures the nesting of `text` (TypeScript, or TSX/JSX when `jsx`), stopping at the first token that goes past
 * `limit`.
 */
export function measureNesting(text: string, jsx: boolean, limit = Infinity): NestingMeasure {
  const n = text.length;
  // The frame stack: kind and the chain count (nesting operators since the last list/statement boundary).
  let kinds = new Uint8Array(64);
  let chains = new Uint32Array(64);
  let top = 0;
  kinds[0] = TOP;
  let sumChains = 0;
  let max = 0;
  // The previous significant token ended an expression (so `/` divides, `<` compares, a line break may end it).
  let prevEnds = false;
  // A line break came between the previous token and this one.
  let newline = false;
  // `;` seen: reset the chain at the next token unless it is `else`.
  let pendingSemicolon = false;
  // `}` closed a block or object: if an identifier or keyword follows (other than an operator keyword or `else`), the statement ended.
  let afterBrace = false;
  // The previous token was if/while/for/with (its `(` is a statement head).
  let headKeyword = false;
  // The current JSX tag's word count and whether its second word was `extends` (then it is a type parameter list).
  let tagWords = 0;

  const push = (kind: number): void => {
    if (++top === kinds.length) {
      const k = new Uint8Array(top * 2);
      k.set(kinds);
      kinds = k;
      const c = new Uint32Array(top * 2);
      c.set(chains);
      chains = c;
    }
    kinds[top] = kind;
    chains[top] = 0;
  };
  const pop = (): void => {
    sumChains -= chains[top];
    top--;
  };
  const depth = () => top + sumChains;
  /** Whether the innermost frame below soft `<` frames holds statements (a block or the top level). */
  const atStatementLevel = (): boolean => {
    let t = top;
    // Soft frames are few in real code; a long run of them is itself deep enough to be refused soon.
    while (kinds[t] === ANGLE && t > 0) t--;
    return kinds[t] === BRACE || kinds[t] === TOP;
  };
  const chain = (): void => {
    chains[top]++;
    sumChains++;
  };
  const resetChain = (): void => {
    while (kinds[top] === ANGLE) pop();
    sumChains -= chains[top];
    chains[top] = 0;
  };
  /** Pops soft `<` frames, then the frame when it is one of `want`; a stray closer changes nothing. */
  const close = (a: number, b = -1, c = -1): number => {
    let t = top;
    while (kinds[t] === ANGLE && t > 0) t--;
    const k = kinds[t];
    if (t === 0 || (k !== a && k !== b && k !== c)) return -1;
    while (top >= t) pop();
    return k;
  };

  let i = 0;
  // A hashbang line is a comment.
  if (text.startsWith("#!")) while (i < n && !isLineBreak(text.charCodeAt(i))) i++;

  while (i < n) {
    const mode = kinds[top];
    // ---- text modes -------------------------------------------------------------------------------------
    if (mode === TEMPLATE) {
      const c = text.charCodeAt(i);
      if (c === 92) i += 2;
      else if (c === 96) {
        pop();
        i++;
        prevEnds = true;
      } else if (c === 36 && text.charCodeAt(i + 1) === 123) {
        push(DOLLAR);
        i += 2;
        prevEnds = false;
        if (depth() > max) max = depth();
        if (max > limit) return { depth: max, offset: i - 2 };
      } else i++;
      continue;
    }
    if (mode === JSX_CHILDREN) {
      const c = text.charCodeAt(i);
      if (c === 123) {
        push(JSX_EXPR);
        i++;
        prevEnds = false;
        if (depth() > max) max = depth();
        if (max > limit) return { depth: max, offset: i - 1 };
      } else if (c === 60) {
        let j = i + 1;
        while (j < n && (text.charCodeAt(j) === 32 || isLineBreak(text.charCodeAt(j)) || text.charCodeAt(j) === 9)) j++;
        if (text.charCodeAt(j) === 47) {
          // `</name>`: the element ends.
          j++;
          while (j < n && text.charCodeAt(j) !== 62) j++;
          i = j + 1;
          pop();
          prevEnds = true;
        } else {
          push(JSX_TAG);
          tagWords = 0;
          i++;
          if (depth() > max) max = depth();
          if (max > limit) return { depth: max, offset: i - 1 };
        }
      } else i++;
      continue;
    }
    if (mode === JSX_TAG) {
      const c = text.charCodeAt(i);
      if (c === 62) {
        kinds[top] = JSX_CHILDREN;
        i++;
      } else if (c === 47 && text.charCodeAt(i + 1) === 62) {
        pop();
        i += 2;
        prevEnds = true;
      } else if (c === 123) {
        push(JSX_EXPR);
        i++;
        prevEnds = false;
        if (depth() > max) max = depth();
        if (max > limit) return { depth: max, offset: i - 1 };
      } else if (c === 34 || c === 39) {
        let j = i + 1;
        while (j < n && text.charCodeAt(j) !== c) j++;
        i = j + 1;
      } else if (isIdentStart(c)) {
        const start = i;
        while (i < n && (isIdentPart(text.charCodeAt(i)) || text.charCodeAt(i) === 45 || text.charCodeAt(i) === 46 || text.charCodeAt(i) === 58)) i++;
        tagWords++;
        if (tagWords === 2 && text.slice(start, i) === "extends") {
          // `<T extends U>(x) => ...` in a .tsx file: type parameters, not an element.
          kinds[top] = ANGLE;
          prevEnds = false;
        }
      } else if (c === 61 || c === 32 || c === 9 || isLineBreak(c) || c === 47) i++;
      else {
        // Anything else (`,`, `(`, `;`, ...) means this `<` did not open an element: it opened type parameters.
        kinds[top] = ANGLE;
        prevEnds = false;
      }
      continue;
    }

    // ---- code -------------------------------------------------------------------------------------------
    const c = text.charCodeAt(i);
    // Whitespace (including NUL, control characters and a BOM) and comments.
    if (c <= 32 || c === 0xfeff || c === 0xa0 || c === 0x2028 || c === 0x2029 || (c >= 0x7f && c <= 0x9f)) {
      if (isLineBreak(c)) newline = true;
      i++;
      continue;
    }
    if (c === 47) {
      const d = text.charCodeAt(i + 1);
      if (d === 47) {
        while (i < n && !isLineBreak(text.charCodeAt(i))) i++;
        continue;
      }
      if (d === 42) {
        const end = text.indexOf("*/", i + 2);
        const stop = end < 0 ? n : end + 2;
        for (let k = i; k < stop; k++) if (isLineBreak(text.charCodeAt(k))) {
          newline = true;
          break;
        }
        i = stop;
        continue;
      }
    }

    // A token starts at i. Statement boundaries recorded before it take effect now.
    const tokenStart = i;
    let word: string | null = null;
    if (isIdentStart(c)) {
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      word = text.slice(tokenStart, i);
    }
    if (pendingSemicolon) {
      if (word !== "else") resetChain();
      pendingSemicolon = false;
    } else if (word !== null && (afterBrace || (newline && prevEnds)) && !CONTINUATION_KEYWORDS.has(word) && atStatementLevel()) {
      resetChain();
    }
    afterBrace = false;
    newline = false;
    const wasHead = headKeyword;
    headKeyword = false;

    if (word !== null) {
      if (NESTING_KEYWORDS.has(word)) chain();
      if (word === "if" || word === "while" || word === "for" || word === "with") headKeyword = true;
      if (word === "await" && wasHead) headKeyword = true; // for await (
      prevEnds = VALUE_KEYWORDS.has(word) || !(EXPRESSION_START_KEYWORDS.has(word) || NESTING_KEYWORDS.has(word));
    } else if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(i + 1)))) {
      i++;
      while (i < n && (isIdentPart(text.charCodeAt(i)) || text.charCodeAt(i) === 46)) i++;
      prevEnds = true;
    } else if (c === 34 || c === 39) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === c) {
          i++;
          break;
        }
        if (d === 92) i += 2;
        else if (isLineBreak(d)) break; // unterminated: a string never spans lines
        else i++;
      }
      prevEnds = true;
    } else if (c === 96) {
      if (prevEnds) chain(); // tagged template
      push(TEMPLATE);
      i++;
    } else if (c === 47 && !prevEnds) {
      // A regular expression: up to the unescaped `/` outside a class, or the end of the line.
      i++;
      let inClass = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isLineBreak(d)) break;
        i++;
        if (d === 92) i++;
        else if (d === 91) inClass = true;
        else if (d === 93) inClass = false;
        else if (d === 47 && !inClass) break;
      }
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
      prevEnds = true;
    } else if (c === 40) {
      if (prevEnds) chain(); // a call
      push(wasHead ? HEAD_PAREN : PAREN);
      i++;
      prevEnds = false;
    } else if (c === 91) {
      if (prevEnds) chain(); // an index or an array type
      push(BRACKET);
      i++;
      prevEnds = false;
    } else if (c === 123) {
      push(BRACE);
      i++;
      prevEnds = false;
    } else if (c === 41) {
      const k = close(PAREN, HEAD_PAREN);
      i++;
      prevEnds = k !== HEAD_PAREN;
    } else if (c === 93) {
      close(BRACKET);
      i++;
      prevEnds = true;
    } else if (c === 125) {
      const k = close(BRACE, DOLLAR, JSX_EXPR);
      i++;
      if (k === BRACE) afterBrace = true;
      prevEnds = k !== BRACE;
      if (k === BRACE) prevEnds = false;
    } else if (c === 59) {
      i++;
      pendingSemicolon = true;
      prevEnds = false;
    } else if (c === 44) {
      i++;
      resetChainKeepAngles();
      prevEnds = false;
    } else if (c === 60 && text.charCodeAt(i + 1) !== 60 && text.charCodeAt(i + 1) !== 61) {
      const d = text.charCodeAt(i + 1);
      i++;
      if (jsx && !prevEnds && (isIdentStart(d) || d === 62)) {
        push(JSX_TAG);
        tagWords = 0;
      } else {
        chain(); // a comparison, type arguments or a type assertion: each nests what follows
        push(ANGLE);
      }
      prevEnds = false;
    } else if (c === 62 && kinds[top] === ANGLE) {
      pop();
      i++;
      prevEnds = true;
    } else {
      // An operator or other punctuation: one nesting level per operator token.
      const len = operatorLength(text, i);
      const incDec = len === 2 && (c === 43 || c === 45) && text.charCodeAt(i + 1) === c;
      i += len;
      if (c !== 64) chain(); // `@` (decorator) does not nest
      // `++`/`--` after a value keep the expression ended; everything else starts an operand.
      if (!incDec) prevEnds = false;
    }
    const d = depth();
    if (d > max) {
      max = d;
      if (max > limit) return { depth: max, offset: tokenStart };
    }
  }
  return { depth: max, offset: -1 };

  function resetChainKeepAngles(): void {
    sumChains -= chains[top];
    chains[top] = 0;
  }
}

/** The UTF-8 length of `text` when it is over `limit` bytes; null when it is not (then it is not counted). */
export function utf8LengthOver(text: string, limit: number): number | null {
  if (text.length * 3 <= limit) return null;
  if (text.length > limit) return utf8Length(text);
  const bytes = utf8Length(text);
  return bytes > limit ? bytes : null;
}

/** UTF-8 length of a string (a lone surrogate counts 3 bytes, as its replacement character would). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
