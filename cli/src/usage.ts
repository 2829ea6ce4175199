/**
 * The CLI's one usage-error type: bad arguments or an app that cannot be found. Every command reports it as
 * `reprise: <message>` (plus its usage text when it has one) and exits 2.
 */
import type { ErrorCode } from "@reprise/protocol";

export class UsageError extends Error {
  readonly code = "RP_USAGE" satisfies ErrorCode;
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
