/**
 * The Testing view's pure parts (no `vscode` import, tested in test/testing/extension-parse.test.mjs): finding
 * the tests of a file (`describe` / `suite` / `test` / `it` with a literal name; nesting from the source's braces),
 * the JUnit report `reprise test --junit` writes (node --test's and vitest's), and a failure's location.
 */

export interface FoundTest {
  name: string;
  kind: "suite" | "test";
  /** 0-based line and column of the call. */
  line: number;
  column: number;
  children: FoundTest[];
}

const CALL = /\b(describe|suite|test|it)(?:\.(?:only|skip|todo|concurrent|sequential|fails))?\s*\(\s*(["'`])((?:\\.|(?!\2)[^\\])*)\2/g;

/**
 * The tests of a test file, nested by their enclosing `describe` / `suite` (a call's body ends where the brace
 * depth drops below the depth at the call). Names built at run time (template placeholders, variables,
 * `test.each`) are not found.
 */
export function findTests(text: string): FoundTest[] {
  // Brace depth at every offset, skipping strings and comments (a light scan, enough for test files).
  const depthAt = new Int32Array(text.length + 1);
  const inCode = new Uint8Array(text.length + 1);
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    depthAt[i] = depth;
    const c = text[i];
    if (c === "/" && text[i + 1] === "/") {
      const end = text.indexOf("\n", i);
      const stop = end < 0 ? text.length : end;
      for (; i < stop; i++) depthAt[i] = depth;
      i--;
      continue;
    }
    if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) depthAt[i] = depth;
      i--;
      continue;
    }
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === "\\" ? 2 : 1;
      for (; i <= j && i < text.length; i++) depthAt[i] = depth;
      i--;
      continue;
    }
    inCode[i] = 1;
    if (c === "{" || c === "(") depth++;
    else if ((c === "}" || c === ")") && depth > 0) depth--;
  }
  depthAt[text.length] = depth;
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const position = (offset: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, column: offset - lineStarts[lo]! };
  };
  const root: FoundTest[] = [];
  // Open suites: the depth at their call and where they end.
  const stack: { depth: number; end: number; node: FoundTest }[] = [];
  for (const m of text.matchAll(CALL)) {
    const at = m.index!;
    if (m[2] === "`" && m[3]!.includes("${")) continue;
    // Skip calls inside comments or strings, and member calls such as `foo.test(`.
    if (!inCode[at] || (at > 0 && /[.\w$]/.test(text[at - 1]!))) continue;
    while (stack.length && at >= stack[stack.length - 1]!.end) stack.pop();
    const { line, column } = position(at);
    const node: FoundTest = { name: unescape(m[3]!), kind: m[1] === "describe" || m[1] === "suite" ? "suite" : "test", line, column, children: [] };
    (stack.length ? stack[stack.length - 1]!.node.children : root).push(node);
    if (node.kind === "suite") {
      const d = depthAt[at]!;
      let end = at + m[0].length;
      while (end < text.length && depthAt[end + 1]! > d) end++;
      stack.push({ depth: d, end: end + 1, node });
    }
  }
  return root;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, "$1");
}

export interface JunitCase {
  name: string;
  /** The enclosing suites' names, outermost first (node --test nests <testsuite>s; vitest puts them in classname). */
  suites: string[];
  file: string | null;
  timeMs: number;
  status: "passed" | "failed" | "skipped";
  message: string | null;
  details: string | null;
}

function decode(s: string): string {
  return s
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCodePoint(Number(n)))
    .replace(/&#x([0-9a-f]+);/gi, (_m, n: string) => String.fromCodePoint(parseInt(n, 16)))
    .replace(/&amp;/g, "&");
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]!] = decode(m[2]!);
  return out;
}

/** The test cases of a JUnit XML report, in document order. */
export function parseJunit(xml: string): JunitCase[] {
  const out: JunitCase[] = [];
  const suites: string[] = [];
  const re = /<(\/?)(testsuite|testcase)\b([^>]*?)(\/?)>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(xml))) {
    const [, close, tag, rest, selfClose] = m;
    if (tag === "testsuite") {
      if (close) suites.pop();
      else if (!selfClose) suites.push(attrs(rest!).name ?? "");
      continue;
    }
    if (close) continue;
    const a = attrs(rest!);
    let body = "";
    if (!selfClose) {
      const end = xml.indexOf("</testcase>", re.lastIndex);
      body = end < 0 ? "" : xml.slice(re.lastIndex, end);
      if (end >= 0) re.lastIndex = end + "</testcase>".length;
    }
    const failure = /<(failure|error)\b([^>]*?)(?:\/>|>([\s\S]*?)<\/\1>)/.exec(body);
    const skipped = /<skipped\b/.test(body);
    // vitest: classname is the file, suites are in the name joined by " > "; node: classname "test", suites nest.
    const fromVitest = !!a.classname && /\.[cm]?[jt]sx?$/.test(a.classname);
    const parts = (a.name ?? "").split(" > ");
    out.push({
      name: fromVitest ? parts[parts.length - 1]! : (a.name ?? ""),
      suites: fromVitest ? parts.slice(0, -1) : [...suites],
      file: a.file ?? (fromVitest ? a.classname! : null),
      timeMs: Math.round(Number(a.time ?? 0) * 1000),
      status: failure ? "failed" : skipped ? "skipped" : "passed",
      message: failure ? (attrs(failure[2] ?? "").message ?? null) : null,
      details: failure && failure[3] != null ? decode(failure[3]).trim() : null,
    });
  }
  return out;
}

/**
 * Where in a test file a failure happened: the first `name:line:column` in its details naming the file by one of
 * `names` (its absolute path; vitest writes paths relative to the app), 1-based.
 */
export function failureLocation(details: string, names: string[]): { line: number; column: number } | null {
  for (const name of names) {
    const esc = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const m = new RegExp(`(?:^|[\\s(/])${esc.startsWith("/") ? esc.slice(1) : esc}:(\\d+):(\\d+)`).exec(details);
    if (m) return { line: Number(m[1]), column: Number(m[2]) };
  }
  return null;
}
