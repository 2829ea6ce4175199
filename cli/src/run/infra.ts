/**
 * Starts an app's infrastructure (runtime config, secrets, migrations, subscriptions, cron) in the thread that
 * loaded the app's modules, after they registered their SQLDatabase / Topic / Bucket / CronJob objects and before
 * the app serves. Cron jobs call their endpoint through the runtime (same validation and error mapping as HTTP).
 *
 * In watch mode a new build prepares while the previous one serves (`prepareAppInfra` with `previousBuild`):
 * databases the previous build does not hold open at once; the held embedded ones, the providers, subscriptions
 * and cron are taken over after the previous build shut down.
 */
import type { AppModel } from "@reprise/protocol";

export interface AppInfra {
  runCronJob(name: string): Promise<void>;
  shutdown(): Promise<void>;
}

export interface PreparedAppInfra {
  takeOver(): Promise<AppInfra>;
  abandon(): Promise<void>;
}

export async function prepareAppInfra(
  appRoot: string,
  model: AppModel,
  configFile: string | null,
  previousBuild: { databases: string[] } | null,
): Promise<PreparedAppInfra> {
  const { prepareInfra } = await import("reprise/config");
  // Cron jobs call endpoints through the runtime; an app without cron jobs skips loading that path.
  if (model.app.cronJobs.length) {
    const [{ setEndpointCaller }, { callEndpoint }, { modelEndpoints }] = await Promise.all([
      import("reprise/cron"),
      import("reprise/internal/clients"),
      import("reprise/internal/host"),
    ]);
    const endpoints = modelEndpoints(model);
    setEndpointCaller(async (service: string, name: string) => {
      const index = endpoints.findIndex((e) => e.service === service && e.name === name);
      if (index < 0) throw new Error(`cron: endpoint ${service}.${name} is not in the app model`);
      await callEndpoint(index, undefined);
    });
  }
  return prepareInfra({ appRoot, model, configFile, previousBuild });
}

export async function startAppInfra(appRoot: string, model: AppModel, configFile: string | null): Promise<AppInfra> {
  return (await prepareAppInfra(appRoot, model, configFile, null)).takeOver();
}

/** The databases a running build holds open, which the next build takes over instead of opening alongside. */
export function heldDatabases(model: AppModel): { databases: string[] } {
  return { databases: model.app.databases.map((d) => d.name) };
}

/**
 * Before the app's modules load: binds a loopback PostgreSQL socket for each embedded database, so
 * `db.connectionString` is a `postgresql://` URL when the app reads it at module level (sqldb/socket.ts).
 */
export async function serveDatabaseSockets(appRoot: string, model: AppModel, configFile: string | null): Promise<void> {
  if (!model.app.databases.length) return;
  const { serveEmbeddedDatabases } = await import("reprise/storage/sqldb");
  await serveEmbeddedDatabases(appRoot, configFile, model.app.databases.map((d) => d.name));
}
