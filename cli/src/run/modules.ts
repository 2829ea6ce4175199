/**
 * The SDK modules an app may import: `reprise/<sub>` and, for Encore.ts apps, `encore.dev/<sub>` mapped onto the
 * same module (`""` is the package root). scripts/encore-surface.mjs compares them with the published encore.dev.
 */
export const SDK_SUBPATHS = ["api", "service", "auth", "validate", "log", "storage/sqldb", "pubsub", "cron", "config", "storage/objects", "types", "metrics", "storage/cache"] as const;

/** Every `encore.dev` subpath (root included) the bundler maps onto the SDK. */
export const MAPPED_ENCORE_MODULES: readonly string[] = ["", ...SDK_SUBPATHS];
