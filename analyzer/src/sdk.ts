/**
 * The SDK module families Reprise recognises. Both `reprise/<x>` and `encore.dev/<x>` map to the same module
 * key, so every resource parser is written once (surface doc §7.1).
 */
export type SdkFamily = "reprise" | "encore";

export const SDK_MODULES = ["api", "service", "storage/sqldb", "pubsub", "cron", "config", "storage/objects", "auth", "validate", "log"] as const;
export type SdkModule = (typeof SDK_MODULES)[number];

export function sdkModuleOf(specifier: string): { module: SdkModule; family: SdkFamily } | null {
  let rest: string;
  let family: SdkFamily;
  if (specifier.startsWith("encore.dev/")) {
    rest = specifier.slice("encore.dev/".length);
    family = "encore";
  } else if (specifier.startsWith("reprise/")) {
    rest = specifier.slice("reprise/".length);
    family = "reprise";
  } else return null;
  return (SDK_MODULES as readonly string[]).includes(rest) ? { module: rest as SdkModule, family } : null;
}

const CLIENTS = new Set(["~encore/clients", "~reprise/clients"]);
const AUTH = new Set(["~encore/auth", "~reprise/auth"]);

/** Generated-module specifiers: the `~` aliases, or any path ending in encore.gen|reprise.gen/{clients,auth}. */
export function generatedModuleOf(specifier: string): "clients" | "auth" | null {
  if (CLIENTS.has(specifier)) return "clients";
  if (AUTH.has(specifier)) return "auth";
  const m = /(?:^|\/)(?:encore|reprise)\.gen\/(clients|auth)(?:\/index(?:\.[cm]?[jt]s)?|\.[cm]?[jt]s)?$/.exec(specifier);
  return m ? (m[1] as "clients" | "auth") : null;
}

/** Client identifier of a service: `-` becomes `_` (surface doc §1.23). */
export const clientIdent = (service: string): string => service.replace(/-/g, "_");

export const SERVICE_FILE_NAMES = ["encore.service.ts", "reprise.service.ts"];
export const APP_ROOT_MARKERS = ["encore.app", "reprise.app"];

export function isAppRootMarker(fileName: string): boolean {
  return APP_ROOT_MARKERS.includes(fileName);
}
