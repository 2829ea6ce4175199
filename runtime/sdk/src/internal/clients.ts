/**
 * What the generated `~encore/clients` / `~reprise/clients` module calls: a service-to-service call goes through
 * the Rust runtime in-process (same validation, deadline and error mapping as HTTP), carrying the caller's auth
 * data unless `opts.authData` overrides it. Errors come back as `APIError`s with the callee's code.
 */
import { APIError, ErrCode } from "../api/error.js";
import type { CallOpts } from "../api/index.js";
import { currentState } from "./context.js";
import { native } from "./native.js";
import { unitHandle } from "./tracing.js";
import { testHooks } from "./test-hooks.js";

const CODES = new Set<string>(Object.values(ErrCode));

export async function callEndpoint(endpoint: number, params: unknown, opts?: CallOpts): Promise<any> {
  // Under `reprise test`, a test may have replaced this endpoint with a double (reprise/testing replaceEndpoint).
  const double = testHooks()?.double?.(endpoint);
  if (double) return double(params);
  const auth = opts && "authData" in opts ? opts.authData : currentState()?.authData;
  const r = await native().callEndpoint(endpoint, params === undefined ? "" : JSON.stringify(params), auth == null ? null : JSON.stringify(auth), unitHandle());
  if (r.status >= 400) {
    let e: { code?: string; message?: string; details?: Record<string, unknown> | null } = {};
    try {
      e = JSON.parse(r.body);
    } catch {
      // a non-JSON error body keeps the defaults below
    }
    const code = (e.code && CODES.has(e.code) ? e.code : ErrCode.Unknown) as ErrCode;
    throw new APIError(code, e.message ?? `call failed with status ${r.status}`, undefined, e.details ?? undefined);
  }
  return r.body === "" ? undefined : JSON.parse(r.body);
}
