/**
 * CacheCluster: a named cache, resolved lazily on its first operation to the engine the runtime config names
 * (`cache.provider`: the in-process store by default, or Redis). One engine per cluster name per process, kept in
 * the process-wide infrastructure registry so `CacheCluster.named(x)` and a second `new CacheCluster(x)` share it,
 * and `stopInfra` closes it.
 */
import { ensureProviders } from "../../config/infra.js";
import { state } from "../../config/registry.js";
import type { CacheEngine } from "./engine.js";
import { CacheError } from "./errors.js";

export type EvictionPolicy =
  | "noeviction"
  | "allkeys-lru"
  | "allkeys-lfu"
  | "allkeys-random"
  | "volatile-lru"
  | "volatile-lfu"
  | "volatile-ttl"
  | "volatile-random";

export interface CacheClusterConfig {
  /** Redis's eviction policy when the cache is full (default "allkeys-lru"). The in-process store does not evict. */
  evictionPolicy?: EvictionPolicy;
}

const POLICIES: readonly string[] = ["noeviction", "allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-lru", "volatile-lfu", "volatile-ttl", "volatile-random"];

export class CacheCluster {
  readonly clusterName: string;
  readonly config: CacheClusterConfig;

  constructor(name: string, cfg?: CacheClusterConfig) {
    if (typeof name !== "string" || name === "") throw new CacheError("CacheCluster needs a name");
    if (cfg?.evictionPolicy !== undefined && !POLICIES.includes(cfg.evictionPolicy)) {
      throw new CacheError(`invalid eviction policy "${String(cfg.evictionPolicy)}": must be one of ${POLICIES.join(", ")}`);
    }
    this.clusterName = name;
    this.config = Object.freeze({ ...cfg });
  }

  /** A reference to a cluster declared elsewhere (same name = same cache). */
  static named<Name extends string>(name: Name): CacheCluster {
    return new CacheCluster(name);
  }

  /** @internal The engine behind this cluster (opened on first use). */
  engine(): Promise<CacheEngine> {
    return openEngine(this.clusterName);
  }
}

type CacheState = { caches?: Map<string, Promise<CacheEngine>> };

function openEngine(name: string): Promise<CacheEngine> {
  const s = state() as ReturnType<typeof state> & CacheState;
  const caches = (s.caches ??= new Map());
  let e = caches.get(name);
  if (!e) {
    e = (async () => {
      const config = await ensureProviders();
      const c = config.cache;
      if (c.provider === "redis") {
        const o = c.clusters[name] ?? {};
        const url = o.url ?? c.url;
        if (!url) throw new CacheError(`cache cluster "${name}": no Redis URL (set cache.url or cache.clusters.${name}.url in the runtime config)`);
        const { openRedis } = await import("./redis.js");
        return openRedis(name, url, o.keyPrefix ?? c.keyPrefix);
      }
      const { MemoryCache } = await import("./memory.js");
      return new MemoryCache();
    })();
    // A failed open is not kept: the next operation tries again (the server may be up by then).
    e.catch(() => {
      if (caches.get(name) === e) caches.delete(name);
    });
    caches.set(name, e);
  }
  return e;
}

/** Closes every open cache engine (Redis connections, the in-process sweep timers); their data is dropped. */
export async function closeCaches(): Promise<void> {
  const s = state() as ReturnType<typeof state> & CacheState;
  const open = [...(s.caches?.values() ?? [])];
  s.caches?.clear();
  await Promise.allSettled(open.map(async (e) => (await e).close()));
}
