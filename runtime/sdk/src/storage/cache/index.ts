/**
 * `encore.dev/storage/cache` (and `reprise/storage/cache`): cache clusters and typed keyspaces. The engine is the
 * runtime config's `cache.provider`: an in-process store with expiry by default (zero set-up), or Redis.
 * See docs/infrastructure.md ("Caches").
 */
export { CacheCluster } from "./cluster.js";
export type { CacheClusterConfig, EvictionPolicy } from "./cluster.js";
export type { KeyspaceConfig, WriteOptions, ListPosition } from "./keyspace.js";
export {
  StringKeyspace,
  IntKeyspace,
  FloatKeyspace,
  StructKeyspace,
  StringListKeyspace,
  NumberListKeyspace,
  StringSetKeyspace,
  NumberSetKeyspace,
} from "./keyspace.js";
export { expireIn, expireInSeconds, expireInMinutes, expireInHours, expireDailyAt, neverExpire, keepTTL } from "./expiry.js";
export type { Expiry } from "./expiry.js";
export { CacheError, CacheMiss, CacheKeyExists } from "./errors.js";
