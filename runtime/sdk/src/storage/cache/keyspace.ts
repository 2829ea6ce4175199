/**
 * The keyspaces of `encore.dev/storage/cache`, with Encore's key mapping and expiry rules:
 * - the key pattern is split on `/`; a `:name` segment takes the key itself (basic key types) or the key's field
 *   `name` (struct keys); `/` inside a value is escaped as `\/`; keys starting with `__encore` are refused;
 * - a write's expiry is its `options.expiry`, else the one set with `.with({ expiry })`, else the keyspace's
 *   `defaultExpiry`, else none of its own (see engine.ts for what each means to the engine);
 * - a missing key reads as `undefined`; `replace` on a missing key throws CacheMiss, `setIfNotExists` on an
 *   existing one throws CacheKeyExists.
 */
import type { CacheCluster } from "./cluster.js";
import { type CacheEngine, KEEP_TTL, PERSIST, type Ttl } from "./engine.js";
import { CacheKeyExists, CacheMiss } from "./errors.js";
import { type Expiry, resolveExpiry } from "./expiry.js";

export interface KeyspaceConfig<K> {
  /** `:field` segments name fields of the key type (or `:key` for a basic key type), e.g. "user/:id". */
  keyPattern: string;
  /** Expiry of entries written without an expiry of their own; none by default. */
  defaultExpiry?: Expiry;
  /** @internal carries the key type for inference. */
  readonly __keyType?: K;
}

export interface WriteOptions {
  /** Expiry for this write; overrides the keyspace's defaultExpiry. */
  expiry?: Expiry;
}

type Segment = { literal: string } | { field: string };

abstract class Keyspace<K> {
  protected readonly cluster: CacheCluster;
  protected readonly config: KeyspaceConfig<K>;
  private readonly segments: Segment[];
  private effectiveExpiry?: Expiry;

  constructor(cluster: CacheCluster, config: KeyspaceConfig<K>) {
    if (!config || typeof config.keyPattern !== "string" || config.keyPattern === "") {
      throw new TypeError("a cache keyspace needs a config with a keyPattern");
    }
    this.cluster = cluster;
    this.config = config;
    this.segments = config.keyPattern.split("/").map((s) => (s.startsWith(":") ? { field: s.slice(1) } : { literal: s }));
  }

  protected mapKey(key: K): string {
    const mapped = this.segments
      .map((s) => {
        if ("literal" in s) return s.literal;
        const v = typeof key === "object" && key !== null ? (key as Record<string, unknown>)[s.field] : key;
        return String(v).replace(/\//g, "\\/");
      })
      .join("/");
    if (mapped.startsWith("__encore")) throw new Error('use of reserved key prefix "__encore"');
    return mapped;
  }

  protected ttl(options?: WriteOptions): Ttl {
    const expiry = options?.expiry ?? this.effectiveExpiry ?? this.config.defaultExpiry;
    if (!expiry) return undefined;
    const r = resolveExpiry(expiry);
    return r === "keep-ttl" ? KEEP_TTL : r === "never" ? PERSIST : r;
  }

  protected engine(): Promise<CacheEngine> {
    return this.cluster.engine();
  }

  /** A copy of this keyspace whose writes use these options (unless a write passes its own). */
  with(options: WriteOptions): this {
    const clone = Object.create(Object.getPrototypeOf(this)) as this;
    Object.assign(clone, this);
    (clone as unknown as { effectiveExpiry?: Expiry }).effectiveExpiry = options.expiry ?? this.effectiveExpiry;
    return clone;
  }

  /** Deletes the keys (missing ones are ignored); how many were deleted. */
  async delete(...keys: K[]): Promise<number> {
    const mapped = keys.map((k) => this.mapKey(k));
    return (await this.engine()).delete(mapped);
  }
}

abstract class BasicKeyspace<K, V> extends Keyspace<K> {
  protected abstract serialize(value: V): string;
  protected abstract deserialize(data: string): V;

  private out(v: string | null): V | undefined {
    return v === null ? undefined : this.deserialize(v);
  }

  async get(key: K): Promise<V | undefined> {
    const k = this.mapKey(key);
    return this.out(await (await this.engine()).get(k));
  }

  async multiGet(...keys: K[]): Promise<(V | undefined)[]> {
    const ks = keys.map((k) => this.mapKey(k));
    return (await (await this.engine()).mget(ks)).map((v) => this.out(v));
  }

  async multiSet(entries: [K, V][], options?: WriteOptions): Promise<void> {
    const es = entries.map(([k, v]): [string, string] => [this.mapKey(k), this.serialize(v)]);
    await (await this.engine()).mset(es, this.ttl(options));
  }

  async set(key: K, value: V, options?: WriteOptions): Promise<void> {
    const k = this.mapKey(key);
    await (await this.engine()).set(k, this.serialize(value), this.ttl(options));
  }

  /** Sets the value only if the key does not exist; throws CacheKeyExists otherwise. */
  async setIfNotExists(key: K, value: V, options?: WriteOptions): Promise<void> {
    const k = this.mapKey(key);
    if (!(await (await this.engine()).set(k, this.serialize(value), this.ttl(options), "missing"))) throw new CacheKeyExists(k);
  }

  /** Replaces the value only if the key exists; throws CacheMiss otherwise. */
  async replace(key: K, value: V, options?: WriteOptions): Promise<void> {
    const k = this.mapKey(key);
    if (!(await (await this.engine()).set(k, this.serialize(value), this.ttl(options), "present"))) throw new CacheMiss(k);
  }

  /** Sets the value and returns the previous one (undefined if there was none). */
  async getAndSet(key: K, value: V, options?: WriteOptions): Promise<V | undefined> {
    const k = this.mapKey(key);
    return this.out(await (await this.engine()).getAndSet(k, this.serialize(value), this.ttl(options)));
  }

  /** Deletes the key and returns its value (undefined if there was none). */
  async getAndDelete(key: K): Promise<V | undefined> {
    const k = this.mapKey(key);
    return this.out(await (await this.engine()).getAndDelete(k));
  }
}

export class StringKeyspace<K> extends BasicKeyspace<K, string> {
  protected serialize(value: string): string {
    return String(value);
  }
  protected deserialize(data: string): string {
    return data;
  }
  /** Appends to the value (an absent key counts as ""); the new length in bytes. */
  async append(key: K, value: string, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).append(k, value, this.ttl(options));
  }
  /** The bytes from start to end inclusive (negative = from the end). */
  async getRange(key: K, start: number, end: number): Promise<string> {
    const k = this.mapKey(key);
    return (await this.engine()).getRange(k, start, end);
  }
  /** Overwrites from byte `offset` (zero-padded); the new length. */
  async setRange(key: K, offset: number, value: string, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).setRange(k, offset, value, this.ttl(options));
  }
  /** The value's length in bytes (0 when absent). */
  async len(key: K): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).strlen(k);
  }
}

export class IntKeyspace<K> extends BasicKeyspace<K, number> {
  protected serialize(value: number): string {
    return String(Math.floor(value));
  }
  protected deserialize(data: string): number {
    return parseInt(data, 10);
  }
  /** Adds `delta` (default 1; an absent key counts as 0); the new value. */
  async increment(key: K, delta = 1, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).incrBy(k, Math.floor(delta), this.ttl(options));
  }
  async decrement(key: K, delta = 1, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).incrBy(k, -Math.floor(delta), this.ttl(options));
  }
}

export class FloatKeyspace<K> extends BasicKeyspace<K, number> {
  protected serialize(value: number): string {
    return String(value);
  }
  protected deserialize(data: string): number {
    return parseFloat(data);
  }
  async increment(key: K, delta = 1, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).incrByFloat(k, delta, this.ttl(options));
  }
  async decrement(key: K, delta = 1, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).incrByFloat(k, -delta, this.ttl(options));
  }
}

/** Values stored as JSON. */
export class StructKeyspace<K, V> extends BasicKeyspace<K, V> {
  protected serialize(value: V): string {
    return JSON.stringify(value);
  }
  protected deserialize(data: string): V {
    return JSON.parse(data) as V;
  }
}

export type ListPosition = "left" | "right";

abstract class ListKeyspace<K, V> extends Keyspace<K> {
  protected abstract serializeItem(value: V): string;
  protected abstract deserializeItem(data: string): V;

  private one(v: string | null): V | undefined {
    return v === null ? undefined : this.deserializeItem(v);
  }

  /** Pushes the values onto the head, in order (the last one ends up first); the new length. */
  async pushLeft(key: K, ...values: V[]): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).push(k, "left", values.map((v) => this.serializeItem(v)), this.ttl());
  }
  async pushRight(key: K, ...values: V[]): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).push(k, "right", values.map((v) => this.serializeItem(v)), this.ttl());
  }
  async popLeft(key: K, options?: WriteOptions): Promise<V | undefined> {
    const k = this.mapKey(key);
    return this.one(await (await this.engine()).pop(k, "left", this.ttl(options)));
  }
  async popRight(key: K, options?: WriteOptions): Promise<V | undefined> {
    const k = this.mapKey(key);
    return this.one(await (await this.engine()).pop(k, "right", this.ttl(options)));
  }
  async len(key: K): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).llen(k);
  }
  /** Keeps only the items from start to stop inclusive (negative = from the end). */
  async trim(key: K, start: number, stop: number, options?: WriteOptions): Promise<void> {
    const k = this.mapKey(key);
    await (await this.engine()).ltrim(k, start, stop, this.ttl(options));
  }
  /** Sets the item at `index`; a CacheError when the key is absent or the index out of range. */
  async set(key: K, index: number, value: V, options?: WriteOptions): Promise<void> {
    const k = this.mapKey(key);
    await (await this.engine()).lset(k, index, this.serializeItem(value), this.ttl(options));
  }
  async get(key: K, index: number): Promise<V | undefined> {
    const k = this.mapKey(key);
    return this.one(await (await this.engine()).lindex(k, index));
  }
  async items(key: K): Promise<V[]> {
    const k = this.mapKey(key);
    return (await (await this.engine()).lrange(k, 0, -1)).map((v) => this.deserializeItem(v));
  }
  async getRange(key: K, start: number, stop: number): Promise<V[]> {
    const k = this.mapKey(key);
    return (await (await this.engine()).lrange(k, start, stop)).map((v) => this.deserializeItem(v));
  }
  /** Inserts before the first `pivot`; the new length, -1 if the pivot is absent, 0 if the key is. */
  async insertBefore(key: K, pivot: V, value: V, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).linsert(k, "before", this.serializeItem(pivot), this.serializeItem(value), this.ttl(options));
  }
  async insertAfter(key: K, pivot: V, value: V, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).linsert(k, "after", this.serializeItem(pivot), this.serializeItem(value), this.ttl(options));
  }
  /** Removes every occurrence of `value`; how many were removed. */
  async removeAll(key: K, value: V, options?: WriteOptions): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).lrem(k, 0, this.serializeItem(value), this.ttl(options));
  }
  /** Removes the first `count` occurrences (from the head). */
  async removeFirst(key: K, count: number, value: V, options?: WriteOptions): Promise<number> {
    if (count < 0) throw new Error("count must be non-negative");
    if (count === 0) return 0;
    const k = this.mapKey(key);
    return (await this.engine()).lrem(k, count, this.serializeItem(value), this.ttl(options));
  }
  /** Removes the last `count` occurrences (from the tail). */
  async removeLast(key: K, count: number, value: V, options?: WriteOptions): Promise<number> {
    if (count < 0) throw new Error("count must be non-negative");
    if (count === 0) return 0;
    const k = this.mapKey(key);
    return (await this.engine()).lrem(k, -count, this.serializeItem(value), this.ttl(options));
  }
  /** Moves one item from one end of `src` to one end of `dst`; the item, or undefined if `src` is empty. */
  async move(src: K, dst: K, srcPos: ListPosition, dstPos: ListPosition, options?: WriteOptions): Promise<V | undefined> {
    const s = this.mapKey(src);
    const d = this.mapKey(dst);
    return this.one(await (await this.engine()).lmove(s, d, srcPos, dstPos, this.ttl(options)));
  }
}

export class StringListKeyspace<K> extends ListKeyspace<K, string> {
  protected serializeItem(value: string): string {
    return String(value);
  }
  protected deserializeItem(data: string): string {
    return data;
  }
}

export class NumberListKeyspace<K> extends ListKeyspace<K, number> {
  protected serializeItem(value: number): string {
    return String(value);
  }
  protected deserializeItem(data: string): number {
    return Number(data);
  }
}

abstract class SetKeyspace<K, V> extends Keyspace<K> {
  protected abstract serializeItem(value: V): string;
  protected abstract deserializeItem(data: string): V;

  private many(vs: string[]): V[] {
    return vs.map((v) => this.deserializeItem(v));
  }
  private static atLeastOne(keys: unknown[]): void {
    if (keys.length === 0) throw new Error("at least one key must be provided");
  }

  /** Adds the members; how many were not already in the set. */
  async add(key: K, ...members: V[]): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).sadd(k, members.map((m) => this.serializeItem(m)), this.ttl());
  }
  async remove(key: K, ...members: V[]): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).srem(k, members.map((m) => this.serializeItem(m)), this.ttl());
  }
  /** Removes and returns one random member (undefined if the set is empty). */
  async popOne(key: K, options?: WriteOptions): Promise<V | undefined> {
    const k = this.mapKey(key);
    const [v] = await (await this.engine()).spop(k, undefined, this.ttl(options));
    return v === undefined ? undefined : this.deserializeItem(v);
  }
  /** Removes and returns up to `count` random members. */
  async pop(key: K, count: number, options?: WriteOptions): Promise<V[]> {
    const k = this.mapKey(key);
    return this.many(await (await this.engine()).spop(k, count, this.ttl(options)));
  }
  async contains(key: K, member: V): Promise<boolean> {
    const k = this.mapKey(key);
    return (await this.engine()).sismember(k, this.serializeItem(member));
  }
  async len(key: K): Promise<number> {
    const k = this.mapKey(key);
    return (await this.engine()).scard(k);
  }
  async items(key: K): Promise<V[]> {
    const k = this.mapKey(key);
    return this.many(await (await this.engine()).smembers(k));
  }
  async itemsSet(key: K): Promise<Set<V>> {
    return new Set(await this.items(key));
  }
  /** Members of the first set that are in none of the others. */
  async diff(...keys: K[]): Promise<V[]> {
    SetKeyspace.atLeastOne(keys);
    const ks = keys.map((k) => this.mapKey(k));
    return this.many(await (await this.engine()).scombine("diff", ks));
  }
  async diffSet(...keys: K[]): Promise<Set<V>> {
    return new Set(await this.diff(...keys));
  }
  /** Stores the difference in `destination` (replacing it); its size. */
  async diffStore(destination: K, ...keys: K[]): Promise<number> {
    SetKeyspace.atLeastOne(keys);
    const d = this.mapKey(destination);
    const ks = keys.map((k) => this.mapKey(k));
    return (await this.engine()).scombineStore("diff", d, ks, this.ttl());
  }
  async intersect(...keys: K[]): Promise<V[]> {
    SetKeyspace.atLeastOne(keys);
    const ks = keys.map((k) => this.mapKey(k));
    return this.many(await (await this.engine()).scombine("inter", ks));
  }
  async intersectSet(...keys: K[]): Promise<Set<V>> {
    return new Set(await this.intersect(...keys));
  }
  async intersectStore(destination: K, ...keys: K[]): Promise<number> {
    SetKeyspace.atLeastOne(keys);
    const d = this.mapKey(destination);
    const ks = keys.map((k) => this.mapKey(k));
    return (await this.engine()).scombineStore("inter", d, ks, this.ttl());
  }
  async union(...keys: K[]): Promise<V[]> {
    SetKeyspace.atLeastOne(keys);
    const ks = keys.map((k) => this.mapKey(k));
    return this.many(await (await this.engine()).scombine("union", ks));
  }
  async unionSet(...keys: K[]): Promise<Set<V>> {
    return new Set(await this.union(...keys));
  }
  async unionStore(destination: K, ...keys: K[]): Promise<number> {
    SetKeyspace.atLeastOne(keys);
    const d = this.mapKey(destination);
    const ks = keys.map((k) => this.mapKey(k));
    return (await this.engine()).scombineStore("union", d, ks, this.ttl());
  }
  /** One random member, left in the set (undefined if empty). */
  async sampleOne(key: K): Promise<V | undefined> {
    const k = this.mapKey(key);
    const [v] = await (await this.engine()).srandmember(k, undefined);
    return v === undefined ? undefined : this.deserializeItem(v);
  }
  /** Up to `count` distinct random members. */
  async sample(key: K, count: number): Promise<V[]> {
    if (count < 0) throw new Error("count must be non-negative");
    const k = this.mapKey(key);
    return this.many(await (await this.engine()).srandmember(k, count));
  }
  /** `count` random members, possibly repeated. */
  async sampleWithReplacement(key: K, count: number): Promise<V[]> {
    if (count < 0) throw new Error("count must be non-negative");
    if (count === 0) return [];
    const k = this.mapKey(key);
    return this.many(await (await this.engine()).srandmember(k, -count));
  }
  /** Moves `member` from `src` to `dst`; false if it was not in `src`. */
  async move(src: K, dst: K, member: V, options?: WriteOptions): Promise<boolean> {
    const s = this.mapKey(src);
    const d = this.mapKey(dst);
    return (await this.engine()).smove(s, d, this.serializeItem(member), this.ttl(options));
  }
}

export class StringSetKeyspace<K> extends SetKeyspace<K, string> {
  protected serializeItem(value: string): string {
    return String(value);
  }
  protected deserializeItem(data: string): string {
    return data;
  }
}

export class NumberSetKeyspace<K> extends SetKeyspace<K, number> {
  protected serializeItem(value: number): string {
    return String(value);
  }
  protected deserializeItem(data: string): number {
    return Number(data);
  }
}
