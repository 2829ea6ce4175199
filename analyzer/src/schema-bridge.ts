/**
 * The call site of the schema builder (analyzer/src/schema, owned separately): request, response, message,
 * handshake and auth types → JSON Schema. The core only depends on this narrow interface.
 */
import type { Diagnostic, HttpMethod, JSONSchema } from "@reprise/protocol";
import type { Node } from "./ast.js";
import type { ParsedFile } from "./parsed-file.js";
import { SchemaBuilder } from "./schema/index.js";

export interface SchemaFileHost {
  getFile(path: string): ParsedFile | undefined;
  resolveModule(fromFile: string, specifier: string): string | undefined;
}
export type SchemaRole = "request" | "response" | "message" | "authParams" | "authData" | "handshake";
export interface SchemaRequestContext {
  methods: HttpMethod[];
  pathParams: string[];
}
export interface SchemaResultLike {
  schema: JSONSchema | null;
  diagnostics: Diagnostic[];
  dependencies: string[];
  /** Top-level field names; null when unknown (the fallback could not tell). */
  fields: string[] | null;
}
export interface SchemaBuilderLike {
  build(file: string, type: Node, role: SchemaRole, ctx?: SchemaRequestContext): SchemaResultLike;
  invalidate(file: string): void;
}

/** Adapts the schema builder: its `fields` are unknown (null) when the type could not be converted. */
class BridgedSchemaBuilder implements SchemaBuilderLike {
  private readonly inner: SchemaBuilder;
  constructor(host: SchemaFileHost) {
    this.inner = new SchemaBuilder(host);
  }
  build(file: string, type: Node, role: SchemaRole, ctx?: SchemaRequestContext): SchemaResultLike {
    const r = this.inner.build(file, type, role, ctx);
    const failed = r.schema === null && r.diagnostics.some((d) => d.severity === "error");
    return { schema: r.schema, diagnostics: r.diagnostics, dependencies: r.dependencies, fields: failed ? null : r.fields };
  }
  invalidate(file: string): void {
    this.inner.invalidate(file);
  }
}

export function createSchemaBuilder(host: SchemaFileHost): SchemaBuilderLike {
  return new BridgedSchemaBuilder(host);
}
