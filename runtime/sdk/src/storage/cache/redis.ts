/**
 * The Redis cache engine (`cache.provider: "redis"` in the runtime config), on the official client
 * `@redis/client`, loaded only when a cluster uses it. Each call is one Redis command (Redis >= 6.2: GETDEL,
 * LMOVE); a write with an expiry of its own that is not a SET runs in MULTI with PEXPIRE / PERSIST, so the value
 * and its expiry change together. Keys get the configured prefix, so apps (or clusters) can share one server.
 * A server that cannot be reached fails the call with a CacheError naming the cluster and URL (the client
 * retries in the background; it does not queue commands while offline).
 */
import type { RedisClientType } from "@redis/client";
import { type CacheEngine, KEEP_TTL, PERSIST, type SetOp, type Side, type Ttl } from "./engine.js";
import { CacheError } from "./errors.js";

type Reply = string | number | null | Reply[];
type Client = RedisClientType;

const CONNECT_TIMEOUT_MS = 5000;

export async function openRedis(cluster: string, url: string, keyPrefix: string): Promise<RedisCache> {
  const { createClient } = await import("@redis/client");
  let connected = false;
  const client = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // The first connection fails at once (the operation reports it); a lost one is retried with backoff.
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(100 * 2 ** retries, 3000) : cause),
    },
  }) as unknown as Client;
  let lastError: unknown = null;
  // Without a listener an 'error' event would end the process; the failure reaches the app through the call.
  client.on("error", (e: unknown) => (lastError = e));
  try {
    await withTimeout(client.connect(), CONNECT_TIMEOUT_MS);
    connected = true;
  } catch (e) {
    await client.disconnect().catch(() => {});
    throw new CacheError(`cache cluster "${cluster}": cannot connect to Redis at ${redact(url)}: ${message(lastError ?? e)}`);
  }
  return new RedisCache(cluster, url, keyPrefix, client);
}

export class RedisCache implements CacheEngine {
  readonly kind = "redis" as const;
  constructor(
    private readonly cluster: string,
    private readonly url: string,
    private readonly prefix: string,
    private readonly client: Client,
  ) {}

  private k(key: string): string {
    return this.prefix + key;
  }

  private async send(args: string[]): Promise<Reply> {
    try {
      return (await this.client.sendCommand(args)) as Reply;
    } catch (e) {
      throw this.error(e);
    }
  }

  /** One write command plus its expiry, atomically; the command's reply. */
  private async write(key: string, ttl: Ttl, args: string[]): Promise<Reply> {
    if (ttl === undefined || ttl === KEEP_TTL) return this.send(args);
    const expiry = ttl === PERSIST ? ["PERSIST", key] : ["PEXPIRE", key, String(Math.max(0, Math.round(ttl)))];
    try {
      const replies = (await this.client.multi().addCommand(args).addCommand(expiry).exec()) as unknown as Reply[];
      return replies[0] ?? null;
    } catch (e) {
      throw this.error(e);
    }
  }

  private error(e: unknown): CacheError {
    // A failed command inside MULTI: report that command's own error text (WRONGTYPE, ...).
    const replies = (e as { replies?: unknown[]; errorIndexes?: number[] })?.replies;
    const idx = (e as { errorIndexes?: number[] })?.errorIndexes?.[0];
    if (replies && idx !== undefined) return new CacheError(message(replies[idx]));
    const m = message(e);
    if (/closed|offline|ECONNREFUSED|Socket|connect/i.test(m) && !/^(ERR|WRONGTYPE)/.test(m)) {
      return new CacheError(`cache cluster "${this.cluster}": Redis at ${redact(this.url)} is unreachable: ${m}`);
    }
    return new CacheError(m);
  }

  private static setArgs(key: string, value: string, ttl: Ttl): string[] {
    const args = ["SET", key, value];
    if (ttl === KEEP_TTL) args.push("KEEPTTL");
    else if (ttl !== undefined && ttl !== PERSIST) args.push("PX", String(Math.max(1, Math.round(ttl))));
    return args;
  }

  async get(key: string): Promise<string | null> {
    return (await this.send(["GET", this.k(key)])) as string | null;
  }
  async mget(keys: string[]): Promise<(string | null)[]> {
    if (keys.length === 0) return [];
    return (await this.send(["MGET", ...keys.map((k) => this.k(k))])) as (string | null)[];
  }
  async set(key: string, value: string, ttl: Ttl, onlyIf?: "missing" | "present"): Promise<boolean> {
    const args = RedisCache.setArgs(this.k(key), value, ttl);
    if (onlyIf) args.push(onlyIf === "missing" ? "NX" : "XX");
    return (await this.send(args)) !== null;
  }
  async mset(entries: [string, string][], ttl: Ttl): Promise<void> {
    if (entries.length === 0) return;
    const m = this.client.multi();
    for (const [k, v] of entries) m.addCommand(RedisCache.setArgs(this.k(k), v, ttl));
    try {
      await m.exec();
    } catch (e) {
      throw this.error(e);
    }
  }
  async getAndSet(key: string, value: string, ttl: Ttl): Promise<string | null> {
    return (await this.send([...RedisCache.setArgs(this.k(key), value, ttl), "GET"])) as string | null;
  }
  async getAndDelete(key: string): Promise<string | null> {
    return (await this.send(["GETDEL", this.k(key)])) as string | null;
  }
  async delete(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    return Number(await this.send(["DEL", ...keys.map((k) => this.k(k))]));
  }
  async append(key: string, value: string, ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, ["APPEND", this.k(key), value]));
  }
  async getRange(key: string, start: number, end: number): Promise<string> {
    return (await this.send(["GETRANGE", this.k(key), String(start), String(end)])) as string;
  }
  async setRange(key: string, offset: number, value: string, ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, ["SETRANGE", this.k(key), String(offset), value]));
  }
  async strlen(key: string): Promise<number> {
    return Number(await this.send(["STRLEN", this.k(key)]));
  }
  async incrBy(key: string, delta: number, ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, ["INCRBY", this.k(key), String(Math.trunc(delta))]));
  }
  async incrByFloat(key: string, delta: number, ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, ["INCRBYFLOAT", this.k(key), String(delta)]));
  }

  async push(key: string, side: Side, values: string[], ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, [side === "left" ? "LPUSH" : "RPUSH", this.k(key), ...values]));
  }
  async pop(key: string, side: Side, ttl: Ttl): Promise<string | null> {
    return (await this.write(this.k(key), ttl, [side === "left" ? "LPOP" : "RPOP", this.k(key)])) as string | null;
  }
  async llen(key: string): Promise<number> {
    return Number(await this.send(["LLEN", this.k(key)]));
  }
  async ltrim(key: string, start: number, stop: number, ttl: Ttl): Promise<void> {
    await this.write(this.k(key), ttl, ["LTRIM", this.k(key), String(start), String(stop)]);
  }
  async lset(key: string, index: number, value: string, ttl: Ttl): Promise<void> {
    await this.write(this.k(key), ttl, ["LSET", this.k(key), String(index), value]);
  }
  async lindex(key: string, index: number): Promise<string | null> {
    return (await this.send(["LINDEX", this.k(key), String(index)])) as string | null;
  }
  async lrange(key: string, start: number, stop: number): Promise<string[]> {
    return (await this.send(["LRANGE", this.k(key), String(start), String(stop)])) as string[];
  }
  async linsert(key: string, where: "before" | "after", pivot: string, value: string, ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, ["LINSERT", this.k(key), where.toUpperCase(), pivot, value]));
  }
  async lrem(key: string, count: number, value: string, ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, ["LREM", this.k(key), String(count), value]));
  }
  async lmove(src: string, dst: string, from: Side, to: Side, ttl: Ttl): Promise<string | null> {
    const args = ["LMOVE", this.k(src), this.k(dst), from.toUpperCase(), to.toUpperCase()];
    return (await this.write(this.k(dst), ttl, args)) as string | null;
  }

  async sadd(key: string, members: string[], ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, ["SADD", this.k(key), ...members]));
  }
  async srem(key: string, members: string[], ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(key), ttl, ["SREM", this.k(key), ...members]));
  }
  async spop(key: string, count: number | undefined, ttl: Ttl): Promise<string[]> {
    const args = ["SPOP", this.k(key)];
    if (count !== undefined) args.push(String(count));
    const r = await this.write(this.k(key), ttl, args);
    return r === null ? [] : Array.isArray(r) ? (r as string[]) : [r as string];
  }
  async sismember(key: string, member: string): Promise<boolean> {
    return Number(await this.send(["SISMEMBER", this.k(key), member])) === 1;
  }
  async scard(key: string): Promise<number> {
    return Number(await this.send(["SCARD", this.k(key)]));
  }
  async smembers(key: string): Promise<string[]> {
    return (await this.send(["SMEMBERS", this.k(key)])) as string[];
  }
  async scombine(op: SetOp, keys: string[]): Promise<string[]> {
    return (await this.send([`S${op.toUpperCase()}`, ...keys.map((k) => this.k(k))])) as string[];
  }
  async scombineStore(op: SetOp, dst: string, keys: string[], ttl: Ttl): Promise<number> {
    return Number(await this.write(this.k(dst), ttl, [`S${op.toUpperCase()}STORE`, this.k(dst), ...keys.map((k) => this.k(k))]));
  }
  async srandmember(key: string, count: number | undefined): Promise<string[]> {
    const args = ["SRANDMEMBER", this.k(key)];
    if (count !== undefined) args.push(String(count));
    const r = await this.send(args);
    return r === null ? [] : Array.isArray(r) ? (r as string[]) : [r as string];
  }
  async smove(src: string, dst: string, member: string, ttl: Ttl): Promise<boolean> {
    return Number(await this.write(this.k(dst), ttl, ["SMOVE", this.k(src), this.k(dst), member])) === 1;
  }

  /** Closes the connection gracefully (pending replies arrive), or drops it after a second. */
  async close(): Promise<void> {
    if (!this.client.isOpen) return;
    await withTimeout(this.client.close(), 1000).catch(() => this.client.destroy());
  }
}

function message(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}

/** The URL without its password, for error messages. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms))),
  ]);
}
