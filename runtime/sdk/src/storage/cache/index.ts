/**
 * `encore.dev/storage/cache` is a deliberate gap for now (internal/unsupported.ts): each export is a stand-in that
 * throws `unsupported in Reprise: <name>` with what to do instead.
 */
import { unsupportedClass, unsupportedFunction } from "../../internal/unsupported.js";

const M = "storage/cache";
export const CacheCluster = unsupportedClass(M, "CacheCluster");
export const CacheError = unsupportedClass(M, "CacheError");
export const CacheKeyExists = unsupportedClass(M, "CacheKeyExists");
export const CacheMiss = unsupportedClass(M, "CacheMiss");
export const FloatKeyspace = unsupportedClass(M, "FloatKeyspace");
export const IntKeyspace = unsupportedClass(M, "IntKeyspace");
export const NumberListKeyspace = unsupportedClass(M, "NumberListKeyspace");
export const NumberSetKeyspace = unsupportedClass(M, "NumberSetKeyspace");
export const StringKeyspace = unsupportedClass(M, "StringKeyspace");
export const StringListKeyspace = unsupportedClass(M, "StringListKeyspace");
export const StringSetKeyspace = unsupportedClass(M, "StringSetKeyspace");
export const StructKeyspace = unsupportedClass(M, "StructKeyspace");
export const expireDailyAt = unsupportedFunction(M, "expireDailyAt");
export const expireIn = unsupportedFunction(M, "expireIn");
export const expireInHours = unsupportedFunction(M, "expireInHours");
export const expireInMinutes = unsupportedFunction(M, "expireInMinutes");
export const expireInSeconds = unsupportedFunction(M, "expireInSeconds");
export const keepTTL = unsupportedFunction(M, "keepTTL");
export const neverExpire = unsupportedFunction(M, "neverExpire");
