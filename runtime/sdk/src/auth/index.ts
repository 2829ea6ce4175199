/**
 * `reprise/auth` (and `encore.dev/auth`, `~encore/auth`, `~reprise/auth`): the auth handler the embedded gateway
 * runs before endpoints, and `getAuthData()` to read its result inside handlers and everything they call.
 */
import { AUTH_HANDLER } from "../internal/registry.js";
import { currentState } from "../internal/context.js";

/** The auth handler's result must identify the user. */
export interface AuthDataBase {
  userID: string;
}

/** encore.dev's brand on auth handlers (type-level only). */
export type AuthHandlerBrand = { readonly __authHandlerBrand: unique symbol };

export type AuthHandler<Params extends object, AuthData> = ((params: Params) => Promise<AuthData | null>) & {
  readonly [AUTH_HANDLER]?: true;
};

/**
 * Declares the app's auth handler. `Params` may only hold `Header`, `Query` and `Cookie` fields. Return the auth
 * data to authenticate the request; return null or throw `APIError.unauthenticated(...)` to refuse it.
 */
export function authHandler<Params extends object, AuthData>(
  fn: (params: Params) => Promise<AuthData | null> | AuthData | null,
): AuthHandler<Params, AuthData> {
  if (typeof fn !== "function") throw new TypeError("authHandler(fn): fn must be a function");
  const wrapped = async (params: Params) => fn(params);
  Object.defineProperty(wrapped, AUTH_HANDLER, { value: true });
  return wrapped as AuthHandler<Params, AuthData>;
}

/** The current request's auth data (also propagated through service calls), or null when unauthenticated. */
export function getAuthData<AuthData = any>(): AuthData | null {
  return (currentState()?.authData ?? null) as AuthData | null;
}
