/**
 * The cache errors `encore.dev/storage/cache` exports. `CacheMiss` and `CacheKeyExists` carry the key in their
 * message exactly as Encore words it; an engine failure (WRONGTYPE, not an integer, Redis unreachable) is a
 * `CacheError` whose message is Redis's own (the in-process store uses the same words). All carry code `RP_CACHE`.
 */
export class CacheError extends Error {
  readonly code = "RP_CACHE";
  constructor(message: string) {
    super(message);
    Object.defineProperty(this, "name", { value: "CacheError", enumerable: false, configurable: true });
    Object.setPrototypeOf(this, new.target.prototype);
  }
}

export class CacheMiss extends CacheError {
  constructor(key: string) {
    super(`cache key "${key}" not found`);
    Object.defineProperty(this, "name", { value: "CacheMiss", enumerable: false, configurable: true });
  }
}

export class CacheKeyExists extends CacheError {
  constructor(key: string) {
    super(`cache key "${key}" already exists`);
    Object.defineProperty(this, "name", { value: "CacheKeyExists", enumerable: false, configurable: true });
  }
}

/** Redis's error texts, shared by both engines. */
export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
export const NOT_INTEGER = "ERR value is not an integer or out of range";
export const NOT_FLOAT = "ERR value is not a valid float";
export const NO_SUCH_KEY = "ERR no such key";
export const INDEX_OUT_OF_RANGE = "ERR index out of range";
