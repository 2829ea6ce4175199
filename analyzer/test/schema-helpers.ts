/**
 * The one helper schema tests use to drive the builder: an in-memory app (path → source), a root type written as
 * TypeScript, and the builder's result with diagnostics reduced to "code at this exact text of this file".
 */
import { posix } from "node:path";
import type { Diagnostic, JSONSchema } from "@reprise/protocol";
import type { TsTypeAliasDeclaration } from "@swc/types";
import { ParsedFile } from "../src/parsed-file.js";
import { SchemaBuilder, type SchemaRequestContext, type SchemaResult, type SchemaRole } from "../src/schema/index.js";

export const ROOT_ALIAS = "__Root";

export class MemoryApp {
  readonly files = new Map<string, ParsedFile>();
  readonly builder: SchemaBuilder;

  constructor(files: Record<string, string>) {
    for (const [p, text] of Object.entries(files)) this.files.set(p, ParsedFile.parse(p, text));
    this.builder = new SchemaBuilder({
      getFile: (p) => this.files.get(p),
      resolveModule: (from, spec) => {
        if (!spec.startsWith(".")) return undefined;
        const base = posix.normalize(posix.join(posix.dirname(from), spec)).replace(/\.js$/, "");
        for (const c of [base, `${base}.ts`, `${base}.tsx`, `${base}/index.ts`]) if (this.files.has(c)) return c;
        return undefined;
      },
    });
  }

  set(path: string, text: string): void {
    this.files.set(path, ParsedFile.parse(path, text));
    this.builder.invalidate(path);
  }

  remove(path: string): void {
    this.files.delete(path);
    this.builder.invalidate(path);
  }

  /** Builds the type written as `type __Root = …` in `file`. */
  build(file: string, role: SchemaRole, ctx?: SchemaRequestContext): SchemaResult {
    const pf = this.files.get(file);
    const alias = pf?.module?.body.find((i): i is TsTypeAliasDeclaration => i.type === "TsTypeAliasDeclaration" && i.id.value === ROOT_ALIAS);
    if (!alias) throw new Error(`${file} has no 'type ${ROOT_ALIAS} = …'`);
    return this.builder.build(file, alias.typeAnnotation, role, ctx);
  }

  /** The source text a diagnostic's range covers. */
  textAt(d: Diagnostic): string {
    const pf = this.files.get(d.file)!;
    return pf.text.slice(pf.offsetAt(d.range.start), pf.offsetAt(d.range.end));
  }
}

export interface Case {
  name: string;
  files?: Record<string, string>;
  /** Declarations for main.ts (the root alias is appended). */
  src?: string;
  root: string;
  role?: SchemaRole;
  ctx?: SchemaRequestContext;
  schema?: JSONSchema | null;
  /** Expected diagnostics: code, file (default main.ts) and the exact source text of the range. */
  diags?: { code: string; file?: string; text: string }[];
  fields?: string[];
  deps?: string[];
}

export function runCase(c: Case): { result: SchemaResult; app: MemoryApp; diags: { code: string; file: string; text: string }[] } {
  const files = { ...(c.files ?? {}) };
  files["main.ts"] = `${c.src ?? files["main.ts"] ?? ""}\ntype ${ROOT_ALIAS} = ${c.root};\n`;
  const app = new MemoryApp(files);
  const result = app.build("main.ts", c.role ?? "request", c.ctx);
  const diags = result.diagnostics.map((d) => ({ code: d.code, file: d.file, text: app.textAt(d) }));
  return { result, app, diags };
}
