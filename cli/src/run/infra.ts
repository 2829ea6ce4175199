/**
 * Starts an app's infrastructure (runtime config, secrets, migrations, subscriptions, cron) in the thread that
 * loaded the app's modules, after they registered their SQLDatabase / Topic / Bucket / CronJob objects and before
 * the app serves. Cron jobs call their endpoint through the runtime (same validation and error mapping as HTTP).
 */
import type { AppModel } from "@reprise/protocol";

export interface AppInfra {
  runCronJob(name: string): Promise<void>;
  shutdown(): Promise<void>;
}

export async function startAppInfra(appRoot: string, model: AppModel, configFile: string | null): Promise<AppInfra> {
  const [{ startInfra }, { setEndpointCaller }, { callEndpoint }, { modelEndpoints }] = await Promise.all([
    import("reprise/config"),
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
  return startInfra({ appRoot, model, configFile });
}

/** Whether two builds of the app may run side by side: embedded PGlite data directories allow one opener only. */
export function allowsOverlappingBuilds(model: AppModel): boolean {
  return model.app.databases.length === 0;
}
