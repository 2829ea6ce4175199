/**
 * Process-wide registry of what app code declares (services with their middleware, endpoint declarations, the
 * auth handler). Kept on `globalThis` under a symbol so a second copy of the SDK (a bundled duplicate, a reload)
 * still meets the same state.
 */
import type { Middleware } from "../api/middleware.js";

export type EndpointKind = "typed" | "raw" | "streamIn" | "streamOut" | "streamInOut" | "static";

/** What `api()` and friends attach to the value they return. */
export interface EndpointDecl {
  kind: EndpointKind;
  options: Record<string, unknown>;
  handler: ((...args: any[]) => unknown) | null;
}

export interface ServiceDecl {
  name: string;
  middlewares: Middleware[];
}

export const ENDPOINT = Symbol.for("reprise.endpoint");
export const AUTH_HANDLER = Symbol.for("reprise.authHandler");

interface Registry {
  services: Map<string, ServiceDecl>;
}

const KEY = Symbol.for("reprise.registry");
const g = globalThis as unknown as Record<symbol, Registry | undefined>;

export function registry(): Registry {
  return (g[KEY] ??= { services: new Map() });
}

export function declOf(value: unknown): EndpointDecl | undefined {
  if ((typeof value === "function" || typeof value === "object") && value !== null) {
    return (value as Record<symbol, EndpointDecl | undefined>)[ENDPOINT];
  }
  return undefined;
}
