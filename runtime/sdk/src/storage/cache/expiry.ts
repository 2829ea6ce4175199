/**
 * Expiry values for cache writes, as `encore.dev/storage/cache` defines them: a duration, a time of day (UTC),
 * never, or keep the key's current expiry.
 */
export type Expiry = { type: "duration"; durationMs: number } | { type: "time"; hours: number; minutes: number; seconds: number } | "never" | "keep-ttl";

/** Expire the entry `ms` milliseconds after the write. */
export function expireIn(ms: number): Expiry {
  return { type: "duration", durationMs: ms };
}
export function expireInSeconds(seconds: number): Expiry {
  return { type: "duration", durationMs: seconds * 1000 };
}
export function expireInMinutes(minutes: number): Expiry {
  return { type: "duration", durationMs: minutes * 60_000 };
}
export function expireInHours(hours: number): Expiry {
  return { type: "duration", durationMs: hours * 3_600_000 };
}
/** Expire the entry at the next occurrence of this time of day, in UTC. */
export function expireDailyAt(hours: number, minutes: number, seconds: number): Expiry {
  return { type: "time", hours, minutes, seconds };
}
/** The entry never expires (Redis may still evict it under its eviction policy). */
export const neverExpire: Expiry = "never";
/** Keep the entry's current expiry when overwriting it (a new entry gets none). */
export const keepTTL: Expiry = "keep-ttl";

/** Milliseconds from `now` until the expiry, or "never" / "keep-ttl". */
export function resolveExpiry(expiry: Expiry, now: Date = new Date()): number | "never" | "keep-ttl" {
  if (expiry === "never" || expiry === "keep-ttl") return expiry;
  if (expiry.type === "duration") return expiry.durationMs;
  const target = new Date(now);
  target.setUTCHours(expiry.hours, expiry.minutes, expiry.seconds, 0);
  if (target.getTime() <= now.getTime()) target.setUTCDate(target.getUTCDate() + 1);
  return target.getTime() - now.getTime();
}
