/**
 * The call site of the schema builder (analyzer/src/schema, written separately): request, response, message,
 * handshake and auth types → JSON Schema. Until that module lands, a fallback reports only the top-level field
 * names of inline object types (enough for the path-parameter check) and no schema.
 */
import type { Diagnostic, HttpMethod, JSONSchema } from "@reprise/protocol";
import type { Node } from "./ast.js";
import type { ParsedFile } from "./parsed-file.js";
import { propKeyName } from "./ast.js";

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

class FallbackSchemaBuilder implements SchemaBuilderLike {
  build(_file: string, type: Node): SchemaResultLike {
    let fields: string[] | null = null;
    if (type?.type === "TsTypeLiteral") {
      fields = [];
      for (const m of type.members) if (m.type === "TsPropertySignature") {
        const k = propKeyName(m.key);
        if (k) fields.push(k);
      }
    }
    return { schema: null, diagnostics: [], dependencies: [], fields };
  }
  invalidate(): void {}
}

export function createSchemaBuilder(_host: SchemaFileHost): SchemaBuilderLike {
  return new FallbackSchemaBuilder();
}

/** The schema builder's RP3xxx definitions (empty until analyzer/src/schema lands). */
export const schemaDiagnosticsList: readonly import("./diagnostics/define.js").DiagnosticDefinition[] = [];
