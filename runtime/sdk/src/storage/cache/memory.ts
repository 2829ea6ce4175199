/**
 * The embedded cache engine: one in-process store per cluster with Redis's semantics for the commands the
 * keyspaces use (strings, lists, sets, expiry). Zero set-up; nothing survives a restart and replicas do not
 * share it (use `cache.provider: "redis"` for that). Expired keys are dropped when touched and by a sweep every
 * few seconds (an unref'd timer, so it never keeps the process alive). There is no memory limit or eviction:
 * the store holds what the app puts in it until it expires or is deleted.
 */
import { randomInt } from "node:crypto";
import { type CacheEngine, KEEP_TTL, PERSIST, type SetOp, type Side, type Ttl } from "./engine.js";
import { CacheError, INDEX_OUT_OF_RANGE, NO_SUCH_KEY, NOT_FLOAT, NOT_INTEGER, WRONGTYPE } from "./errors.js";

type Value = { t: "s"; v: string } | { t: "l"; v: string[] } | { t: "z"; v: Set<string> };
interface Entry {
  value: Value;
  /** ms since epoch; null = no expiry. */
  expiresAt: number | null;
}

const SWEEP_MS = 5000;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

export class MemoryCache implements CacheEngine {
  readonly kind = "memory" as const;
  private readonly data = new Map<string, Entry>();
  private sweeper: NodeJS.Timeout | null = null;
  /** For tests: the clock the store reads. */
  now: () => number = Date.now;

  // ---- entries -------------------------------------------------------------------------------------------------

  private entry(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e && e.expiresAt !== null && e.expiresAt <= this.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  private str(key: string): string | null {
    const e = this.entry(key);
    if (!e) return null;
    if (e.value.t !== "s") throw new CacheError(WRONGTYPE);
    return e.value.v;
  }

  private list(key: string, create: boolean): string[] | null {
    const e = this.entry(key);
    if (!e) {
      if (!create) return null;
      const v: string[] = [];
      this.data.set(key, { value: { t: "l", v }, expiresAt: null });
      return v;
    }
    if (e.value.t !== "l") throw new CacheError(WRONGTYPE);
    return e.value.v;
  }

  private set_(key: string, create: boolean): Set<string> | null {
    const e = this.entry(key);
    if (!e) {
      if (!create) return null;
      const v = new Set<string>();
      this.data.set(key, { value: { t: "z", v }, expiresAt: null });
      return v;
    }
    if (e.value.t !== "z") throw new CacheError(WRONGTYPE);
    return e.value.v;
  }

  /** Applies a write's ttl to an existing key (the non-SET commands): a number sets it, PERSIST clears it. */
  private touch(key: string, ttl: Ttl): void {
    const e = this.data.get(key);
    if (!e) return;
    const v = e.value;
    if ((v.t === "l" && v.v.length === 0) || (v.t === "z" && v.v.size === 0)) {
      this.data.delete(key); // Redis removes empty lists and sets
      return;
    }
    if (ttl === PERSIST) e.expiresAt = null;
    else if (ttl !== undefined && ttl !== KEEP_TTL) this.expireAt(e, ttl);
  }

  private expireAt(e: Entry, ttl: number): void {
    e.expiresAt = this.now() + Math.max(0, ttl);
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
      this.sweeper.unref();
    }
  }

  private sweep(): void {
    const now = this.now();
    for (const [k, e] of this.data) if (e.expiresAt !== null && e.expiresAt <= now) this.data.delete(k);
  }

  private writeString(key: string, value: string, ttl: Ttl): void {
    const old = this.entry(key);
    const e: Entry = { value: { t: "s", v: value }, expiresAt: null };
    if (ttl === KEEP_TTL) e.expiresAt = old?.expiresAt ?? null;
    else if (ttl !== undefined && ttl !== PERSIST) this.expireAt(e, ttl);
    this.data.set(key, e);
  }

  // ---- strings -------------------------------------------------------------------------------------------------

  async get(key: string): Promise<string | null> {
    return this.str(key);
  }

  async mget(keys: string[]): Promise<(string | null)[]> {
    return keys.map((k) => {
      const e = this.entry(k);
      return e && e.value.t === "s" ? e.value.v : null;
    });
  }

  async set(key: string, value: string, ttl: Ttl, onlyIf?: "missing" | "present"): Promise<boolean> {
    const exists = this.entry(key) !== undefined;
    if ((onlyIf === "missing" && exists) || (onlyIf === "present" && !exists)) return false;
    this.writeString(key, value, ttl);
    return true;
  }

  async mset(entries: [string, string][], ttl: Ttl): Promise<void> {
    for (const [k, v] of entries) this.writeString(k, v, ttl);
  }

  async getAndSet(key: string, value: string, ttl: Ttl): Promise<string | null> {
    const old = this.str(key);
    this.writeString(key, value, ttl);
    return old;
  }

  async getAndDelete(key: string): Promise<string | null> {
    const old = this.str(key);
    this.data.delete(key);
    return old;
  }

  async delete(keys: string[]): Promise<number> {
    let n = 0;
    for (const k of new Set(keys)) if (this.entry(k) && this.data.delete(k)) n++;
    return n;
  }

  async append(key: string, value: string, ttl: Ttl): Promise<number> {
    const old = this.str(key);
    if (old === null) this.data.set(key, { value: { t: "s", v: value }, expiresAt: null });
    else (this.data.get(key)!.value as { v: string }).v = old + value;
    this.touch(key, ttl);
    return Buffer.byteLength(old === null ? value : old + value);
  }

  async getRange(key: string, start: number, end: number): Promise<string> {
    const s = this.str(key);
    if (s === null) return "";
    const b = Buffer.from(s);
    const r = normRange(start, end, b.length);
    return r ? b.subarray(r[0], r[1] + 1).toString() : "";
  }

  async setRange(key: string, offset: number, value: string, ttl: Ttl): Promise<number> {
    if (offset < 0) throw new CacheError("ERR offset is out of range");
    const s = this.str(key);
    const add = Buffer.from(value);
    if (s === null && add.length === 0) return 0;
    const old = Buffer.from(s ?? "");
    const out = Buffer.alloc(Math.max(old.length, offset + add.length));
    old.copy(out);
    add.copy(out, offset);
    if (s === null) this.data.set(key, { value: { t: "s", v: out.toString() }, expiresAt: null });
    else (this.data.get(key)!.value as { v: string }).v = out.toString();
    this.touch(key, ttl);
    return out.length;
  }

  async strlen(key: string): Promise<number> {
    const s = this.str(key);
    return s === null ? 0 : Buffer.byteLength(s);
  }

  async incrBy(key: string, delta: number, ttl: Ttl): Promise<number> {
    const s = this.str(key);
    if (s !== null && !/^-?(0|[1-9]\d*)$/.test(s)) throw new CacheError(NOT_INTEGER);
    const next = BigInt(s ?? "0") + BigInt(Math.trunc(delta));
    if (next > INT64_MAX || next < INT64_MIN) throw new CacheError("ERR increment or decrement would overflow");
    this.putString(key, s, next.toString());
    this.touch(key, ttl);
    return Number(next);
  }

  async incrByFloat(key: string, delta: number, ttl: Ttl): Promise<number> {
    const s = this.str(key);
    const cur = s === null ? 0 : Number(s);
    if (s !== null && (s.trim() !== s || s === "" || !Number.isFinite(cur))) throw new CacheError(NOT_FLOAT);
    const next = cur + delta;
    if (!Number.isFinite(next)) throw new CacheError("ERR increment would produce NaN or Infinity");
    this.putString(key, s, String(next));
    this.touch(key, ttl);
    return next;
  }

  /** Replaces a string's value keeping its expiry (the counters), or creates it. */
  private putString(key: string, old: string | null, value: string): void {
    if (old === null) this.data.set(key, { value: { t: "s", v: value }, expiresAt: null });
    else (this.data.get(key)!.value as { v: string }).v = value;
  }

  // ---- lists ---------------------------------------------------------------------------------------------------

  async push(key: string, side: Side, values: string[], ttl: Ttl): Promise<number> {
    const l = this.list(key, true)!;
    if (side === "left") for (const v of values) l.unshift(v);
    else l.push(...values);
    const n = l.length;
    this.touch(key, ttl);
    return n;
  }

  async pop(key: string, side: Side, ttl: Ttl): Promise<string | null> {
    const l = this.list(key, false);
    if (!l || l.length === 0) return null;
    const v = side === "left" ? l.shift()! : l.pop()!;
    this.touch(key, ttl);
    return v;
  }

  async llen(key: string): Promise<number> {
    return this.list(key, false)?.length ?? 0;
  }

  async ltrim(key: string, start: number, stop: number, ttl: Ttl): Promise<void> {
    const l = this.list(key, false);
    if (!l) return;
    const r = normRange(start, stop, l.length);
    const kept = r ? l.slice(r[0], r[1] + 1) : [];
    l.splice(0, l.length, ...kept);
    this.touch(key, ttl);
  }

  async lset(key: string, index: number, value: string, ttl: Ttl): Promise<void> {
    const l = this.list(key, false);
    if (!l) throw new CacheError(NO_SUCH_KEY);
    const i = index < 0 ? l.length + index : index;
    if (i < 0 || i >= l.length) throw new CacheError(INDEX_OUT_OF_RANGE);
    l[i] = value;
    this.touch(key, ttl);
  }

  async lindex(key: string, index: number): Promise<string | null> {
    const l = this.list(key, false);
    if (!l) return null;
    const i = index < 0 ? l.length + index : index;
    return i >= 0 && i < l.length ? l[i]! : null;
  }

  async lrange(key: string, start: number, stop: number): Promise<string[]> {
    const l = this.list(key, false);
    if (!l) return [];
    const r = normRange(start, stop, l.length);
    return r ? l.slice(r[0], r[1] + 1) : [];
  }

  async linsert(key: string, where: "before" | "after", pivot: string, value: string, ttl: Ttl): Promise<number> {
    const l = this.list(key, false);
    if (!l) return 0;
    const i = l.indexOf(pivot);
    if (i < 0) return -1;
    l.splice(where === "before" ? i : i + 1, 0, value);
    const n = l.length;
    this.touch(key, ttl);
    return n;
  }

  async lrem(key: string, count: number, value: string, ttl: Ttl): Promise<number> {
    const l = this.list(key, false);
    if (!l) return 0;
    let removed = 0;
    const limit = count === 0 ? Infinity : Math.abs(count);
    if (count >= 0) {
      for (let i = 0; i < l.length && removed < limit; ) {
        if (l[i] === value) {
          l.splice(i, 1);
          removed++;
        } else i++;
      }
    } else {
      for (let i = l.length - 1; i >= 0 && removed < limit; i--) {
        if (l[i] === value) {
          l.splice(i, 1);
          removed++;
        }
      }
    }
    this.touch(key, ttl);
    return removed;
  }

  async lmove(src: string, dst: string, from: Side, to: Side, ttl: Ttl): Promise<string | null> {
    const s = this.list(src, false);
    if (!s || s.length === 0) return null;
    const de = this.entry(dst);
    if (de && de.value.t !== "l") throw new CacheError(WRONGTYPE);
    const v = from === "left" ? s.shift()! : s.pop()!;
    this.touch(src, undefined);
    const d = this.list(dst, true)!;
    if (to === "left") d.unshift(v);
    else d.push(v);
    this.touch(dst, ttl);
    return v;
  }

  // ---- sets ----------------------------------------------------------------------------------------------------

  async sadd(key: string, members: string[], ttl: Ttl): Promise<number> {
    const z = this.set_(key, true)!;
    let added = 0;
    for (const m of members) if (!z.has(m)) (z.add(m), added++);
    this.touch(key, ttl);
    return added;
  }

  async srem(key: string, members: string[], ttl: Ttl): Promise<number> {
    const z = this.set_(key, false);
    if (!z) return 0;
    let removed = 0;
    for (const m of members) if (z.delete(m)) removed++;
    this.touch(key, ttl);
    return removed;
  }

  async spop(key: string, count: number | undefined, ttl: Ttl): Promise<string[]> {
    if (count !== undefined && count < 0) throw new CacheError("ERR value is out of range, must be positive");
    const z = this.set_(key, false);
    if (!z) return [];
    const picked = pickDistinct([...z], count ?? 1);
    for (const m of picked) z.delete(m);
    this.touch(key, ttl);
    return picked;
  }

  async sismember(key: string, member: string): Promise<boolean> {
    return this.set_(key, false)?.has(member) ?? false;
  }

  async scard(key: string): Promise<number> {
    return this.set_(key, false)?.size ?? 0;
  }

  async smembers(key: string): Promise<string[]> {
    return [...(this.set_(key, false) ?? [])];
  }

  async scombine(op: SetOp, keys: string[]): Promise<string[]> {
    const sets = keys.map((k) => this.set_(k, false) ?? new Set<string>());
    const [first, ...rest] = sets;
    if (!first) return [];
    if (op === "union") return [...new Set(sets.flatMap((s) => [...s]))];
    if (op === "inter") return [...first].filter((m) => rest.every((s) => s.has(m)));
    return [...first].filter((m) => !rest.some((s) => s.has(m)));
  }

  async scombineStore(op: SetOp, dst: string, keys: string[], ttl: Ttl): Promise<number> {
    const members = await this.scombine(op, keys);
    this.data.delete(dst);
    if (members.length === 0) return 0;
    this.data.set(dst, { value: { t: "z", v: new Set(members) }, expiresAt: null });
    this.touch(dst, ttl);
    return members.length;
  }

  async srandmember(key: string, count: number | undefined): Promise<string[]> {
    const z = this.set_(key, false);
    if (!z || z.size === 0) return [];
    const all = [...z];
    if (count === undefined) return pickDistinct(all, 1);
    if (count >= 0) return pickDistinct(all, count);
    return Array.from({ length: -count }, () => all[randomInt(all.length)]!);
  }

  async smove(src: string, dst: string, member: string, ttl: Ttl): Promise<boolean> {
    const s = this.set_(src, false);
    const de = this.entry(dst);
    if (de && de.value.t !== "z") throw new CacheError(WRONGTYPE);
    if (!s || !s.has(member)) return false;
    s.delete(member);
    this.touch(src, undefined);
    this.set_(dst, true)!.add(member);
    this.touch(dst, ttl);
    return true;
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
  }
}

/** Redis's inclusive [start, stop] with negative indices from the end, clamped; null = empty. */
function normRange(start: number, stop: number, len: number): [number, number] | null {
  let a = start < 0 ? len + start : start;
  let b = stop < 0 ? len + stop : stop;
  if (a < 0) a = 0;
  if (b >= len) b = len - 1;
  if (a > b || a >= len) return null;
  return [a, b];
}

function pickDistinct(all: string[], n: number): string[] {
  const a = [...all];
  const k = Math.min(n, a.length);
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(a.length - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k);
}
