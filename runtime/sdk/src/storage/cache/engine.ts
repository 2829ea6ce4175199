/**
 * The two cache engines behind CacheCluster share this interface: an in-process store (memory.ts, the default)
 * and a Redis server (redis.ts, when the runtime config says `cache.provider: "redis"`). The operations are
 * Redis's own commands with Redis's semantics (index rules, WRONGTYPE, integer checks), so an app behaves the
 * same on both; the in-process store is tested against a real redis-server with the same cases.
 *
 * Values are strings (every keyspace stores UTF-8 text). `ttl` follows Encore's encoding: `undefined` = the
 * write sets no expiry of its own (a plain set clears an old one, like Redis's SET; other writes leave it),
 * `KEEP_TTL` keeps the key's expiry, `PERSIST` removes it, a number >= 0 expires the key that many ms from now.
 */
export const KEEP_TTL = -1;
export const PERSIST = -2;
export type Ttl = number | undefined;
export type Side = "left" | "right";
export type SetOp = "diff" | "inter" | "union";

export interface CacheEngine {
  readonly kind: "memory" | "redis";
  get(key: string): Promise<string | null>;
  mget(keys: string[]): Promise<(string | null)[]>;
  /** SET with NX (`onlyIf: "missing"`) or XX (`"present"`): false when the condition stopped the write. */
  set(key: string, value: string, ttl: Ttl, onlyIf?: "missing" | "present"): Promise<boolean>;
  mset(entries: [string, string][], ttl: Ttl): Promise<void>;
  getAndSet(key: string, value: string, ttl: Ttl): Promise<string | null>;
  getAndDelete(key: string): Promise<string | null>;
  delete(keys: string[]): Promise<number>;
  append(key: string, value: string, ttl: Ttl): Promise<number>;
  getRange(key: string, start: number, end: number): Promise<string>;
  setRange(key: string, offset: number, value: string, ttl: Ttl): Promise<number>;
  strlen(key: string): Promise<number>;
  incrBy(key: string, delta: number, ttl: Ttl): Promise<number>;
  incrByFloat(key: string, delta: number, ttl: Ttl): Promise<number>;

  push(key: string, side: Side, values: string[], ttl: Ttl): Promise<number>;
  pop(key: string, side: Side, ttl: Ttl): Promise<string | null>;
  llen(key: string): Promise<number>;
  ltrim(key: string, start: number, stop: number, ttl: Ttl): Promise<void>;
  lset(key: string, index: number, value: string, ttl: Ttl): Promise<void>;
  lindex(key: string, index: number): Promise<string | null>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
  /** LINSERT: the new length, -1 when the pivot is not in the list, 0 when the key does not exist. */
  linsert(key: string, where: "before" | "after", pivot: string, value: string, ttl: Ttl): Promise<number>;
  /** LREM: count > 0 from the head, < 0 from the tail, 0 all. */
  lrem(key: string, count: number, value: string, ttl: Ttl): Promise<number>;
  lmove(src: string, dst: string, from: Side, to: Side, ttl: Ttl): Promise<string | null>;

  sadd(key: string, members: string[], ttl: Ttl): Promise<number>;
  srem(key: string, members: string[], ttl: Ttl): Promise<number>;
  /** SPOP without a count (`count` undefined: at most one member) or with one. */
  spop(key: string, count: number | undefined, ttl: Ttl): Promise<string[]>;
  sismember(key: string, member: string): Promise<boolean>;
  scard(key: string): Promise<number>;
  smembers(key: string): Promise<string[]>;
  scombine(op: SetOp, keys: string[]): Promise<string[]>;
  scombineStore(op: SetOp, dst: string, keys: string[], ttl: Ttl): Promise<number>;
  /** SRANDMEMBER: count undefined = one member at most; negative count = with repetition. */
  srandmember(key: string, count: number | undefined): Promise<string[]>;
  smove(src: string, dst: string, member: string, ttl: Ttl): Promise<boolean>;

  close(): Promise<void>;
}
