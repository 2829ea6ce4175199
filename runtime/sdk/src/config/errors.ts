/**
 * Typed errors of the infrastructure SDK. Every error carries a stable code so the runtime can print it and
 * tests can match it without parsing messages.
 */
export type InfraErrorCode =
  | "RP_CONFIG" // invalid runtime config (the message names the key)
  | "RP_SECRET_MISSING"
  | "RP_SECRETS_FILE" // .secrets.local.cue is not in the flat `Name: "value"` form (the message names the line)
  | "RP_MIGRATION" // a migration failed (the message names the file)
  | "RP_MIGRATION_FILES" // the migrations folder is unreadable or has bad names
  | "RP_SQL" // a query failed
  | "RP_PUBSUB"
  | "RP_CRON"
  | "RP_NATIVE_MISSING";

export class InfraError extends Error {
  constructor(
    readonly code: InfraErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${code}: ${message}`, options);
    this.name = "InfraError";
  }
}
