/**
 * Structured API errors. Same names and shape as encore.dev/api: `new APIError(code, message, cause?, details?)`,
 * a static helper per code, `withDetails`. The runtime maps `code` to the HTTP status and sends
 * `{ code, message, details }`; any other thrown value becomes a 500 `internal` without its message.
 */

/** Error codes; the string values are what clients see in `code`. */
export enum ErrCode {
  OK = "ok",
  Canceled = "canceled",
  Unknown = "unknown",
  InvalidArgument = "invalid_argument",
  DeadlineExceeded = "deadline_exceeded",
  NotFound = "not_found",
  AlreadyExists = "already_exists",
  PermissionDenied = "permission_denied",
  ResourceExhausted = "resource_exhausted",
  FailedPrecondition = "failed_precondition",
  Aborted = "aborted",
  OutOfRange = "out_of_range",
  Unimplemented = "unimplemented",
  Internal = "internal",
  Unavailable = "unavailable",
  DataLoss = "data_loss",
  Unauthenticated = "unauthenticated",
}

/** HTTP status per error code. */
export const ERR_STATUS: Readonly<Record<ErrCode, number>> = Object.freeze({
  ok: 200,
  canceled: 499,
  unknown: 500,
  invalid_argument: 400,
  deadline_exceeded: 504,
  not_found: 404,
  already_exists: 409,
  permission_denied: 403,
  resource_exhausted: 429,
  failed_precondition: 400,
  aborted: 409,
  out_of_range: 400,
  unimplemented: 501,
  internal: 500,
  unavailable: 503,
  data_loss: 500,
  unauthenticated: 401,
} as Record<ErrCode, number>);

/** Extra structured information sent to the client as `details`. */
export type ErrDetails = Record<string, unknown>;

const BRAND = Symbol.for("reprise.APIError");

/** An error with a code the client sees. Throw it from handlers, auth handlers and middleware. */
export class APIError extends Error {
  readonly code: ErrCode;
  readonly details?: ErrDetails;

  constructor(code: ErrCode, msg: string, cause?: Error, details?: ErrDetails) {
    super(msg, cause ? { cause } : undefined);
    this.name = "APIError";
    this.code = code;
    this.details = details;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A copy of this error carrying `details`. */
  withDetails(details: ErrDetails): APIError {
    return new APIError(this.code, this.message, this.cause as Error | undefined, details);
  }

  static canceled(msg: string, cause?: Error) { return new APIError(ErrCode.Canceled, msg, cause); }
  static unknown(msg: string, cause?: Error) { return new APIError(ErrCode.Unknown, msg, cause); }
  static invalidArgument(msg: string, cause?: Error) { return new APIError(ErrCode.InvalidArgument, msg, cause); }
  static deadlineExceeded(msg: string, cause?: Error) { return new APIError(ErrCode.DeadlineExceeded, msg, cause); }
  static notFound(msg: string, cause?: Error) { return new APIError(ErrCode.NotFound, msg, cause); }
  static alreadyExists(msg: string, cause?: Error) { return new APIError(ErrCode.AlreadyExists, msg, cause); }
  static permissionDenied(msg: string, cause?: Error) { return new APIError(ErrCode.PermissionDenied, msg, cause); }
  static resourceExhausted(msg: string, cause?: Error) { return new APIError(ErrCode.ResourceExhausted, msg, cause); }
  static failedPrecondition(msg: string, cause?: Error) { return new APIError(ErrCode.FailedPrecondition, msg, cause); }
  static aborted(msg: string, cause?: Error) { return new APIError(ErrCode.Aborted, msg, cause); }
  static outOfRange(msg: string, cause?: Error) { return new APIError(ErrCode.OutOfRange, msg, cause); }
  static unimplemented(msg: string, cause?: Error) { return new APIError(ErrCode.Unimplemented, msg, cause); }
  static internal(msg: string, cause?: Error) { return new APIError(ErrCode.Internal, msg, cause); }
  static unavailable(msg: string, cause?: Error) { return new APIError(ErrCode.Unavailable, msg, cause); }
  static dataLoss(msg: string, cause?: Error) { return new APIError(ErrCode.DataLoss, msg, cause); }
  static unauthenticated(msg: string, cause?: Error) { return new APIError(ErrCode.Unauthenticated, msg, cause); }
}

/** True for APIError instances, including ones from another copy of the SDK. */
export function isAPIError(e: unknown): e is APIError {
  return typeof e === "object" && e !== null && (e instanceof APIError || (e as Record<symbol, unknown>)[BRAND] === true);
}
