/**
 * Typed errors of the infrastructure SDK. Every error carries a stable code so the runtime can print it and
 * tests can match it without parsing messages.
 */
import type { ErrorCode } from "@reprise/protocol";

/** The codes of infrastructure errors (each described in the one list of run-time error codes, protocol's ERROR_CODES). */
export type InfraErrorCode = Exclude<ErrorCode, "RP_UNSUPPORTED" | "RP_USAGE">;

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
