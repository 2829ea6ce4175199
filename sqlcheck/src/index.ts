/**
 * @reprise/sqlcheck: an app's SQL checked against the real Postgres semantics with nothing to install or start.
 * Each database's migrations are applied in order in an in-memory PGlite; each query the analyser extracted is
 * described (never executed) against it. Used by `reprise check` and the language server.
 */
export { SqlChecker, queryKey, controlsTransactions, type SqlCheckerOptions, type ResultCache, type CachedDatabase, type HungDatabase, type MigrationStep, type ColumnInfo, type DatabaseInput, type MigrationInput, type QueryInfo, type SqlCheckResult, type TableInfo } from "./checker.js";
export { sqlInputsOf, POSTGRES_VERSION } from "./inputs.js";
export { fileRangeAt, queryRangeAt, tokenLength } from "./map.js";
export { folderCache } from "./cache.js";
export { RemoteSqlChecker, type RemoteSqlCheckerOptions } from "./remote.js";
