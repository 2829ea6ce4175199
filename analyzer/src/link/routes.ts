/**
 * Route conflict detection, mirroring the router Encore uses (matchit 0.7): two routes of one method conflict
 * when they are identical, or have parameters with different names at the same position. Static segments may
 * overlap parameters (the static one wins), so `/users/me` and `/users/:id` do not conflict.
 */
import type { HttpMethod, PathSegment } from "@reprise/protocol";

const ANY: HttpMethod[] = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE"];

export function expandMethods(m: HttpMethod[]): HttpMethod[] {
  return m.includes("*") ? ANY : m;
}

export function sharedMethod(a: HttpMethod[], b: HttpMethod[]): HttpMethod | null {
  const eb = expandMethods(b);
  for (const m of expandMethods(a)) if (eb.includes(m)) return m;
  return null;
}

/**
 * A key equal for two routes exactly when routesConflict holds: literals by value, dynamic segments by kind
 * (parameter names do not matter to the router).
 */
export function routeShape(segments: PathSegment[]): string {
  let key = "";
  for (const s of segments) key += s.type === "literal" ? `/=${s.value}` : s.type === "param" ? "/:" : s.type === "wildcard" ? "/*" : "/!";
  return key;
}

/** Whether two routes match an overlapping set of requests in a way the router rejects. */
export function routesConflict(a: PathSegment[], b: PathSegment[]): boolean {
  const fa = a.length > 0 && a[a.length - 1].type === "fallback";
  const fb = b.length > 0 && b[b.length - 1].type === "fallback";
  if (fa !== fb) return false;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.type === "literal" || y.type === "literal") {
      if (x.type !== y.type || x.value !== y.value) return false;
      continue;
    }
    if (x.type !== y.type) return false;
  }
  return true;
}

export function pathString(segments: PathSegment[]): string {
  return "/" + segments.map((s) => (s.type === "literal" ? s.value : (s.type === "param" ? ":" : s.type === "wildcard" ? "*" : "!") + s.value)).join("/");
}
