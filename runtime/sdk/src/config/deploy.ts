/**
 * The start-up check of a production build (`reprise build`, docs/build.md): outside local development every
 * database needs a PostgreSQL URL, an app with topics needs a broker the config names (the in-process one only
 * when the config says `"provider": "memory"`: it delivers within one process, so replicas would each keep their
 * own messages), an app with buckets needs a bucket provider the config names, and every secret needs a value.
 * All of them are listed at once; nothing falls back to an embedded engine or a local folder silently.
 */
import { readFileSync } from "node:fs";
import { InfraError } from "./errors.js";
import type { ResolvedConfig } from "./registry.js";

/** What the check reads of the app model. */
export interface DeploymentModel {
  app: {
    databases: { name: string }[];
    topics: { name: string }[];
    buckets?: { name: string }[];
    secrets: { name: string; service: string | null }[];
  };
}

/** The missing pieces, one line each (empty when the deployment is complete or the environment is local). */
export function missingDeploymentConfig(model: DeploymentModel, config: ResolvedConfig, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!config.env || config.env === "local") return [];
  const where = config.file ? `${config.file} (environment "${config.env}")` : `a runtime config file (--config FILE or REPRISE_CONFIG; none was given)`;
  const missing: string[] = [];
  for (const db of model.app.databases) {
    if (config.sql.databases[db.name]?.connectionString || config.sql.server) continue;
    missing.push(`database "${db.name}": no PostgreSQL URL — set "sql": { "server": "postgres://…" } or "sql": { "databases": { "${db.name}": { "connectionString": "…" } } } in ${where}`);
  }
  const explicit = explicitProviders(config);
  if (model.app.topics.length && config.pubsub.provider === "memory" && !explicit.has("pubsub")) {
    const topics = model.app.topics.map((t) => `"${t.name}"`).join(", ");
    missing.push(`pub/sub broker for topic${model.app.topics.length > 1 ? "s" : ""} ${topics}: set "pubsub": { "provider": "nats", "url": "nats://…" } in ${where} (the in-process broker delivers within one process only)`);
  }
  const buckets = model.app.buckets ?? [];
  if (buckets.length && config.buckets.provider === "filesystem" && !explicit.has("buckets")) {
    const names = buckets.map((b) => `"${b.name}"`).join(", ");
    missing.push(`bucket storage for bucket${buckets.length > 1 ? "s" : ""} ${names}: set "buckets": { "provider": "s3", … } in ${where} (or "provider": "filesystem" with a "root" on storage that outlives the process)`);
  }
  const seen = new Set<string>();
  for (const s of model.app.secrets) {
    if (seen.has(s.name)) continue;
    seen.add(s.name);
    if (env[`REPRISE_SECRET_${s.name}`] !== undefined || config.secrets[s.name] !== undefined) continue;
    missing.push(`secret "${s.name}"${s.service ? ` (used by "${s.service}")` : ""}: set REPRISE_SECRET_${s.name} in the environment or "secrets": { "${s.name}": "…" } in ${where}`);
  }
  return missing;
}

/**
 * The sections (`pubsub`, `buckets`) whose `provider` the config file sets itself, at the top level or in the
 * selected environment; the resolved config cannot tell a chosen default from an unset one.
 */
function explicitProviders(config: ResolvedConfig): Set<string> {
  const out = new Set<string>();
  if (!config.file) return out;
  let raw: { environments?: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(config.file, "utf8")) as typeof raw;
  } catch {
    return out; // the runtime read it already; an unreadable file here only makes the check stricter
  }
  for (const layer of [raw, raw.environments?.[config.env] ?? {}]) {
    for (const section of ["pubsub", "buckets"]) {
      const v = layer[section] as { provider?: unknown } | undefined;
      if (v && typeof v === "object" && typeof v.provider === "string") out.add(section);
    }
  }
  return out;
}

/** Throws RP_DEPLOY_CONFIG naming every missing database URL, broker and secret. */
export function checkDeployment(model: DeploymentModel, config: ResolvedConfig, env: NodeJS.ProcessEnv = process.env): void {
  const missing = missingDeploymentConfig(model, config, env);
  if (!missing.length) return;
  throw new InfraError("RP_DEPLOY_CONFIG", `cannot start in environment "${config.env}": ${missing.length} thing${missing.length > 1 ? "s" : ""} missing\n${missing.map((m) => `  - ${m}`).join("\n")}`);
}
