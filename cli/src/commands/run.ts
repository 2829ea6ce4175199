/**
 * `reprise run [appRoot] [--port N] [--watch] [--inspect[=host:port]]`: analyse the app, refuse to start on
 * error diagnostics, bundle it and serve it on the Rust runtime (src/run/).
 */
import { resolve } from "node:path";
import { parseRunArgs, RUN_USAGE, UsageError } from "../run/args.js";
import { mark } from "../run/timings.js";

export async function run(argv: string[]): Promise<number> {
  mark("cli loaded");
  let args;
  try {
    args = parseRunArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`reprise run: ${e.message}\n\n${RUN_USAGE}`);
      return 2;
    }
    throw e;
  }
  if (args.help) {
    console.log(RUN_USAGE);
    return 0;
  }
  const { findAppRoot } = await import("@reprise/analyzer/node");
  const start = resolve(args.appRoot ?? process.cwd());
  const appRoot = findAppRoot(start);
  if (!appRoot) {
    console.error(`reprise run: no reprise.app or encore.app found in ${start} or its parents`);
    return 2;
  }
  mark("app root found");
  // `encore run` runs the app with its root as the working directory (apps read `./schema.graphql` and the like at
  // start-up). A relative `--config` is relative to the app root either way (docs/runtime-config.md).
  process.chdir(appRoot);
  const { prepareApp, formatDiagnostics } = await import("../run/build.js");
  let prepared;
  try {
    prepared = await prepareApp(appRoot);
  } catch (e) {
    const errs = (e as { errors?: { text: string; location?: { file: string; line: number; column: number } | null }[] }).errors;
    const text = errs?.length ? errs.map((x) => `  ${x.location ? `${x.location.file}:${x.location.line}:${x.location.column + 1}  ` : ""}${x.text}`).join("\n") : String(e);
    console.error(`reprise run: could not bundle the app:\n${text}`);
    return 1;
  }
  mark(prepared.cached ? "analysis + bundle: cache hit" : "analysed and bundled");
  const { model, errors } = prepared;
  if (errors.length || !prepared.bundle) {
    console.error(`reprise run: the app has ${errors.length} error(s); fix them to start:\n${formatDiagnostics(errors)}`);
    return 1;
  }
  const bundle = prepared.bundle;
  const { serve } = await import("../run/serve.js");
  try {
    return await serve(appRoot, model, bundle, args);
  } catch (e) {
    console.error(`reprise run: ${(e as Error).message}`);
    return 1;
  }
}
