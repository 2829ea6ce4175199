/**
 * The production start of a folder `reprise build` wrote (docs/build.md): `node DIR/main.mjs [--port N] [--config
 * FILE]` calls `launch(DIR)`. It does what `reprise run` does without the CLI, the analyser or esbuild: read the
 * app model and the runtime config, refuse to start outside local development while any database URL, broker or
 * secret is missing (every one named, RP_DEPLOY_CONFIG), load the bundled app, start its infrastructure, listen,
 * and on SIGTERM/SIGINT stop accepting, finish in-flight requests (10 s), shut the infrastructure down, exit 0.
 *
 * Environment: `PORT` (default 8080), `REPRISE_HOST` (default 0.0.0.0), `REPRISE_CONFIG`, `REPRISE_ENV` (default
 * `production`), `REPRISE_REQUEST_TIMEOUT_MS`, `REPRISE_SECRET_<Name>`.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { AppModel } from "@reprise/protocol";

const SHUTDOWN_GRACE_MS = 10_000;

export const LAUNCH_USAGE = `Usage: node main.mjs [--port N] [--config FILE]

Serves the built Reprise app. --port (or PORT, default 8080) is the port; --config (or REPRISE_CONFIG) the runtime
config file (PostgreSQL, NATS, buckets, secrets, tracing; docs/runtime-config.md), relative to the working
directory. REPRISE_ENV selects its environment (default "production"); outside "local" every database URL, the
pub/sub broker and every secret must be set, or start-up stops naming each one.`;

export interface LaunchArgs {
  port: number;
  config: string | null;
  help: boolean;
}

export class LaunchUsageError extends Error {
  readonly code = "RP_USAGE";
}

export function parseLaunchArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): LaunchArgs {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: { port: { type: "string" }, config: { type: "string" }, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new LaunchUsageError((e as Error).message);
  }
  const portText = values.port ?? env.PORT ?? "8080";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new LaunchUsageError(`the port must be a whole number from 0 to 65535, got '${portText}'`);
  const config = values.config ?? env.REPRISE_CONFIG ?? null;
  return { port, config: config ? resolve(config) : null, help: values.help === true };
}

/** Starts the app built into `buildDir`; resolves with the exit code once it stopped (or could not start). */
export async function launch(buildDir: string, argv: string[] = process.argv.slice(2)): Promise<number> {
  let args: LaunchArgs;
  try {
    args = parseLaunchArgs(argv);
  } catch (e) {
    console.error(`reprise: ${(e as Error).message}\n\n${LAUNCH_USAGE}`);
    return 2;
  }
  if (args.help) {
    console.log(LAUNCH_USAGE);
    return 0;
  }
  process.env.REPRISE_ENV ??= "production";
  const appRoot = join(buildDir, "app");
  const model = JSON.parse(readFileSync(join(appRoot, "model.json"), "utf8")) as AppModel;
  const config = await import("../config/index.js");
  try {
    config.checkDeployment(model, config.loadRuntimeConfig(appRoot, args.config));
  } catch (e) {
    console.error(`reprise: ${(e as Error).message}`);
    return 1;
  }
  const host = await import("./host.js");
  let infra: { shutdown(): Promise<void> } | null = null;
  try {
    if (model.app.databases.length) {
      // Only embedded databases get a socket here (local trials of a build that includes PGlite).
      const { serveEmbeddedDatabases } = await import("../storage/sqldb/index.js");
      await serveEmbeddedDatabases(appRoot, args.config, model.app.databases.map((d) => d.name));
    }
    process.setSourceMapsEnabled(true);
    const mod = (await import(pathToFileURL(join(appRoot, "app.mjs")).href)) as { endpoints: unknown[]; authHandler?: unknown };
    host.installApp({ model, endpoints: mod.endpoints, authHandler: mod.authHandler });
    if (model.app.cronJobs.length) {
      const [{ setEndpointCaller }, { callEndpoint }] = await Promise.all([import("../cron/index.js"), import("./clients.js")]);
      const endpoints = host.modelEndpoints(model);
      setEndpointCaller(async (service: string, name: string) => {
        const index = endpoints.findIndex((e) => e.service === service && e.name === name);
        if (index < 0) throw new Error(`cron: endpoint ${service}.${name} is not in the app model`);
        await callEndpoint(index, undefined);
      });
    }
    infra = await (await config.prepareInfra({ appRoot, model, configFile: args.config, previousBuild: null })).takeOver();
  } catch (e) {
    console.error(`reprise: ${(e as Error).message}`);
    // The runtime's dispatcher keeps the event loop alive once the app is installed: leave explicitly.
    process.exit(1);
  }
  const timeout = Number(process.env.REPRISE_REQUEST_TIMEOUT_MS);
  const port = await host.startServer({
    model,
    appRoot,
    port: args.port,
    host: process.env.REPRISE_HOST ?? "0.0.0.0",
    requestTimeoutMs: Number.isInteger(timeout) && timeout >= 0 && process.env.REPRISE_REQUEST_TIMEOUT_MS ? timeout : undefined,
    // No tool can reach this process's /__reprise/* admin routes (the token is never written anywhere); healthz answers anyone.
    toolToken: randomBytes(32).toString("base64url"),
  });
  console.log(`Reprise: ${model.app.id || "app"} (environment ${process.env.REPRISE_ENV}) listening on port ${port}`);
  return new Promise<number>(() => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.log(`${signal}: shutting down (finishing in-flight requests)`);
      const left = await host.shutdownServer(SHUTDOWN_GRACE_MS);
      if (left) console.log(`${left} connection(s) did not finish within ${SHUTDOWN_GRACE_MS / 1000} s`);
      await infra?.shutdown().catch((e: Error) => console.error(`reprise: infrastructure shutdown: ${e.message}`));
      process.exit(0);
    };
    process.once("SIGINT", () => void stop("SIGINT"));
    process.once("SIGTERM", () => void stop("SIGTERM"));
  });
}
