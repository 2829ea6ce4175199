/**
 * The start-up check of a production build (`reprise build`, docs/build.md): outside local development every
 * database needs a PostgreSQL URL, an app with topics needs a broker other than the in-process one (which delivers
 * within one process only, so replicas would each keep their own messages), and every secret needs a value. All
 * of them are listed at once; nothing falls back to an embedded engine silently.
 */
import { InfraError } from "./errors.js";
import type { ResolvedConfig } from "./registry.js";

/** What the check reads of the app model. */
export interface DeploymentModel {
  app: {
    databases: { name: string }[];
    topics: { name: string }[];
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
  if (model.app.topics.length && config.pubsub.provider === "memory") {
    const topics = model.app.topics.map((t) => `"${t.name}"`).join(", ");
    missing.push(`pub/sub broker for topic${model.app.topics.length > 1 ? "s" : ""} ${topics}: set "pubsub": { "provider": "nats", "url": "nats://…" } in ${where} (the in-process broker delivers within one process only)`);
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

/** Throws RP_DEPLOY_CONFIG naming every missing database URL, broker and secret. */
export function checkDeployment(model: DeploymentModel, config: ResolvedConfig, env: NodeJS.ProcessEnv = process.env): void {
  const missing = missingDeploymentConfig(model, config, env);
  if (!missing.length) return;
  throw new InfraError("RP_DEPLOY_CONFIG", `cannot start in environment "${config.env}": ${missing.length} thing${missing.length > 1 ? "s" : ""} missing\n${missing.map((m) => `  - ${m}`).join("\n")}`);
}
