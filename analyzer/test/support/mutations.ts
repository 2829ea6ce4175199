/**
 * Seeded mutations for the robustness tests and bench/fuzz.mjs: the everyday edits of the original mutation test
 * (truncation, a deleted bracket, swapped tokens, inserted junk, a deleted line) plus hostile input: depth bombs of
 * every nesting shape, 2 MB single lines, NUL and control bytes, lone UTF-16 surrogates, a BOM, CRLF line ends and
 * truncation at a sixteenth of the file. Everything is a pure function of (text, rng), so a seed reproduces a run.
 */
import type { SourceInput } from "../../src/index.js";
import { loadAppFiles } from "../../src/node/index.js";
import { loadCases, snapshotApps } from "./check.js";

/** mulberry32: small, seeded, deterministic. */
export function rng(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The everyday edits (the original mutation test's five kinds). */
export function mutate(text: string, r: () => number): string {
  const pick = (n: number) => Math.floor(r() * n);
  switch (pick(5)) {
    case 0:
      return text.slice(0, pick(text.length + 1));
    case 1: {
      const braces = [...text.matchAll(/[{}()[\]]/g)].map((m) => m.index!);
      if (!braces.length) return text + "{";
      const at = braces[pick(braces.length)];
      return text.slice(0, at) + text.slice(at + 1);
    }
    case 2: {
      const tokens = text.split(/(\s+|[{}()[\],;:.])/);
      if (tokens.length < 3) return text;
      const a = pick(tokens.length);
      const b = pick(tokens.length);
      [tokens[a], tokens[b]] = [tokens[b], tokens[a]];
      return tokens.join("");
    }
    case 3: {
      const at = pick(text.length + 1);
      const junk = ["\"", "`", "/*", "${", "<", "=>", "new ", "api(", "@", "\u00e9\ud83d\ude00"][pick(10)];
      return text.slice(0, at) + junk + text.slice(at);
    }
    default: {
      const lines = text.split("\n");
      lines.splice(pick(lines.length), 1);
      return lines.join("\n");
    }
  }
}

/** Nesting shapes: an opening and a closing piece repeated n times around a core. */
export const BOMB_SHAPES: Record<string, (n: number) => string> = {
  array: (n) => "[".repeat(n) + "]".repeat(n),
  object: (n) => "{a:".repeat(n) + "1" + "}".repeat(n),
  parens: (n) => "(".repeat(n) + "1" + ")".repeat(n),
  template: (n) => "`${".repeat(n) + "1" + "}`".repeat(n),
  typeArgs: (n) => "A<".repeat(n) + "B" + ">".repeat(n),
  typeObject: (n) => "{a:".repeat(n) + "1" + "}".repeat(n),
  jsxLike: (n) => "<a>".repeat(n) + "</a>".repeat(n),
  assertions: (n) => "<any>".repeat(n) + "a",
  arrows: (n) => "a=>".repeat(n) + "1",
  functions: (n) => "function(){return ".repeat(n) + "1" + "}".repeat(n),
  unary: (n) => "!".repeat(n) + "a",
  conditional: (n) => "a?b:".repeat(n) + "c",
  binary: (n) => "1+".repeat(n) + "1",
  calls: (n) => "f" + "()".repeat(n),
  members: (n) => "a" + ".b".repeat(n),
};

/** Where a bomb goes: as an initializer, as a type, as an argument of an endpoint call, or inside a block. */
function placeBomb(text: string, shape: string, body: string, r: () => number): string {
  const pick = (k: number) => Math.floor(r() * k);
  const isType = shape === "typeArgs" || shape === "typeObject";
  const stmt = isType ? `\ntype Bomb = ${body};\n` : `\nexport const bomb = ${body};\n`;
  switch (pick(4)) {
    case 0:
      return text + stmt;
    case 1: {
      const at = pick(text.length + 1);
      return text.slice(0, at) + stmt + text.slice(at);
    }
    case 2: {
      // Inside the first block: a statement of a function body, or a member of an object or class.
      const at = text.indexOf("{");
      return at < 0 ? text + stmt : text.slice(0, at + 1) + stmt + text.slice(at + 1);
    }
    default:
      // Raw, at a random position: it may land in a string, a comment or the middle of a token.
      {
        const at = pick(text.length + 1);
        return text.slice(0, at) + body + text.slice(at);
      }
  }
}

/** The bomb sizes: mostly around the guard's limits and swc's crash points, some far beyond. */
const BOMB_SIZES = [100, 400, 499, 500, 501, 999, 1000, 1001, 2000, 3000, 5000, 20000, 100000];

export interface Mutation {
  kind: string;
  text: string;
}

/** One hostile or everyday mutation of `text`. */
export function mutateHostile(text: string, r: () => number): Mutation {
  const pick = (n: number) => Math.floor(r() * n);
  const kinds = ["everyday", "everyday", "everyday", "bomb", "bomb", "bomb", "longLine", "control", "surrogate", "bom", "crlf", "sixteenth"];
  const kind = kinds[pick(kinds.length)];
  switch (kind) {
    case "bomb": {
      const shapes = Object.keys(BOMB_SHAPES);
      const shape = shapes[pick(shapes.length)];
      const n = BOMB_SIZES[pick(BOMB_SIZES.length)];
      return { kind: `bomb:${shape}:${n}`, text: placeBomb(text, shape, BOMB_SHAPES[shape](n), r) };
    }
    case "longLine": {
      // About 2 MB on one line: either just under or just over the default size limit.
      const target = 2 * 1024 * 1024 + (r() < 0.5 ? -4096 : 4096);
      const unit = ["1,", "'abc',", "a+", "{a:1},", "[1],"][pick(5)];
      const line = `export const big = [${unit.repeat(Math.ceil(target / unit.length))}];`;
      return { kind: `longLine:${unit}`, text: r() < 0.5 ? text + "\n" + line + "\n" : line };
    }
    case "control": {
      const chars = ["\u0000", "\u0001", "\u0007", "\u0008", "\u000b", "\u000c", "\u001b", "\u007f", "\u0085", "\u2028", "\u2029"];
      let out = text;
      for (let k = 0, m = 1 + pick(8); k < m; k++) {
        const at = pick(out.length + 1);
        out = out.slice(0, at) + chars[pick(chars.length)] + out.slice(at);
      }
      return { kind: "control", text: out };
    }
    case "surrogate": {
      const s = ["\ud800", "\udfff", "\ud83d", "\ude00", "\udc00\ud800"][pick(5)];
      const at = pick(text.length + 1);
      return { kind: "surrogate", text: text.slice(0, at) + s + text.slice(at) };
    }
    case "bom":
      return { kind: "bom", text: "\ufeff" + (r() < 0.5 ? text : text.replace(/\n/, "\n\ufeff")) };
    case "crlf":
      return { kind: "crlf", text: r() < 0.5 ? text.replace(/\n/g, "\r\n") : text.replace(/\n/g, "\r") };
    case "sixteenth": {
      const k = 1 + pick(15);
      return { kind: `sixteenth:${k}`, text: text.slice(0, Math.floor((text.length * k) / 16)) };
    }
    default:
      return { kind: "everyday", text: mutate(text, r) };
  }
}

/** The fixture apps, example apps and case files, each as a set of files. */
export function corpus(): { name: string; files: SourceInput[] }[] {
  const apps = snapshotApps().map((a) => ({ name: a.name, files: loadAppFiles(a.root) }));
  const cases = loadCases().map((c) => ({ name: `case ${c.name}`, files: c.files }));
  return [...apps, ...cases];
}

export const isSource = (p: string) => /\.(ts|tsx|js)$/.test(p) || p.endsWith(".app") || p === "tsconfig.json";

/** The i-th fuzz job of a seed: which app, which file, which mutation. Pure; the same (seed, i) gives the same job. */
export function fuzzJob(apps: { name: string; files: SourceInput[] }[], seed: number, i: number): { app: number; file: string; mutation: Mutation; maxNestingDepth: number } {
  const r = rng((seed ^ Math.imul(i + 1, 0x9e3779b1)) | 0);
  const app = Math.floor(r() * apps.length);
  const sources = apps[app].files.filter((f) => isSource(f.path));
  const file = sources.length ? sources[Math.floor(r() * sources.length)] : { path: "svc/new.ts", text: "" };
  const mutation = mutateHostile(file.text, r);
  // Half the runs at the default limit, half at the ceiling a setting can raise it to.
  const maxNestingDepth = r() < 0.5 ? 500 : 1000;
  return { app, file: file.path, mutation, maxNestingDepth };
}
