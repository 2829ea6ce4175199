/**
 * The codes of the errors Reprise's SDK and tools throw at run time (an `Error` with a `code` property), as opposed
 * to the analyser's diagnostics, whose codes are `RP` + four digits and live only in the catalogue
 * (analyzer/src/diagnostics/). Two namespaces that never mix: an error code is `RP_` + upper-case
 * words. `test/tidy/codes.test.mjs` fails when code in a package uses an `RP_*` code this list does not have.
 */
export const ERROR_CODES = {
  RP_CONFIG: "invalid runtime config (the message names the key)",
  RP_SECRET_MISSING: "a secret the app reads has no value in this environment",
  RP_SECRETS_FILE: "the secrets file is not in the flat `Name: \"value\"` form (the message names the line)",
  RP_MIGRATION: "a migration failed to apply (the message names the file)",
  RP_MIGRATION_FILES: "the migrations folder is unreadable or has badly named files",
  RP_SQL: "a database query failed",
  RP_PUBSUB: "publishing or subscribing failed",
  RP_CRON: "a cron job could not be run",
  RP_CACHE: "a cache operation failed (CacheError: Redis's own text, or the cluster and URL when Redis is unreachable)",
  RP_NATIVE_MISSING: "the runtime addon is not built or could not be loaded",
  RP_DEPLOY_CONFIG: "a production start-up lacks database URLs, a pub/sub broker or secrets (the message names every one)",
  RP_BUILD_TARGET: "reprise build was asked for a platform whose runtime addon this machine cannot produce",
  RP_BUILD_OUT: "reprise build's output folder is not new, empty or an earlier build, or would contain the app",
  RP_BUILD_BUNDLE: "the app could not be bundled for production (or its modules import test files)",
  RP_BUILD_FILES: "a folder the app model names (migrations, static assets) is outside the app",
  RP_BUILD_PACKAGE: "a runtime package a build copies is missing or needed in two versions",
  RP_UNSUPPORTED: "an Encore API Reprise does not implement was called",
  RP_USAGE: "a CLI command was given arguments it cannot use (exit code 2)",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
