/**
 * RP41xx — SQL checked against Postgres: the codes @reprise/sqlcheck reports after applying a database's
 * migrations in an in-memory PGlite and describing (never executing) each query. They live here so the catalogue
 * stays the single list (docs/diagnostics.md is generated from it); the analyser itself never reports them.
 */
import { defineDiagnostic as d, type DiagnosticDefinition } from "./define.js";

export const SQL = {
  MigrationFailed: d({ code: "RP4101", severity: "error", title: "Migration fails to apply", docs: "Reprise applies each database's migrations in order, exactly as `reprise run` does, in a throwaway in-memory Postgres (PGlite), and this one failed: a syntax error (`NOT NUL`), an unknown table, a duplicate column, a bad type. The error is where Postgres says it is. The later migrations of this database and the checks of its queries are skipped until it applies." }),
  QueryError: d({ code: "RP4102", severity: "error", title: "Postgres rejects this query", docs: "The query (each `${expr}` sent as a parameter `$n`) was described against the migrated schema and Postgres rejected it: an unknown table or column, a syntax error, `INSERT has more target columns than expressions`, an unknown function or operator, an ambiguous column. The range is the token Postgres points at. Queries are only prepared, never executed. Put `// reprise-sql-ignore` on the line before a query to skip it." }),
  RowFieldMissing: d({ code: "RP4103", severity: "error", title: "Row type field not returned by the query", docs: "The row type argument (`db.queryRow<{ email: string }>`, or an interface or object type alias declared in the same file) names a field the query does not return, so it would always be `undefined`. Select the column (or alias an expression to that name: `AS email`), or remove the field." }),
  RowFieldType: d({ code: "RP4104", severity: "warning", title: "Row type field has another type family", docs: "The field's TypeScript type is of another family than the column Postgres returns (string vs number vs boolean vs Date vs JSON vs array). Change the field's type, or cast the column in SQL (`::text`, `::int`)." }),
  RowFieldNullable: d({ code: "RP4105", severity: "hint", title: "Nullable column typed as non-null", docs: "The column can be NULL (it has no NOT NULL constraint), but the row type's field does not allow null. Add `| null` to the field, or add NOT NULL to the column, or COALESCE it in the query." }),
  SqlCheckSkipped: d({ code: "RP4106", severity: "hint", title: "SQL check skipped", docs: "This database's queries are not checked because its migrations need something the embedded checker does not have: an extension PGlite does not ship (pgvector, PostGIS, ...). It is not an error in the app; the queries are checked by the real database when the app runs." }),
} satisfies Record<string, DiagnosticDefinition>;

export const sqlDiagnostics: readonly DiagnosticDefinition[] = Object.freeze(Object.values(SQL));
