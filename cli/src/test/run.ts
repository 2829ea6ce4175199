/**
 * `reprise test`: prepares the app as `reprise run` does (analysis must be clean; bundled), checks that it starts
 * (its modules load, secrets resolve, migrations apply) on a throw-away copy of its infrastructure — migrating
 * each database once into a template — and then runs the app's tests with `node --test`, each test file in a
 * process of its own that copies the template databases (setup.ts). The dev databases under `.reprise/db` are
 * never opened. Exit code = the runner's.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AppModel } from "@reprise/protocol";
import type { TestState } from "./setup.js";

export interface TestArgs {
  appRoot: string;
  patterns: string[];
  runnerArgs: string[];
  junit: string | null;
  config: string | null;
}

const SKIP = /^(node_modules|\.reprise|\.git|dist|encore\.gen|reprise\.gen)$/;
const TEST_FILE = /\.(test|spec)\.(ts|mts|js|mjs)$/;

/** The app's test files (`*.test.ts`, `*.spec.ts`, .mts/.js/.mjs), filtered by the patterns (substrings of the path). */
export function findTestFiles(appRoot: string, patterns: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIP.test(name) || name.startsWith(".")) continue;
      const p = join(dir, name);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else if (TEST_FILE.test(name)) out.push(p);
    }
  };
  walk(appRoot);
  if (!patterns.length) return out;
  return out.filter((f) => patterns.some((pat) => relative(appRoot, f).includes(pat)));
}

export async function runTests(args: TestArgs, model: AppModel, bundle: string): Promise<number> {
  const files = findTestFiles(args.appRoot, args.patterns);
  if (!files.length) {
    console.error(`reprise test: no test files (*.test.ts, *.spec.ts, …)${args.patterns.length ? ` matching ${args.patterns.join(", ")}` : ""} in ${args.appRoot}`);
    return 1;
  }
  const tmp = mkdtempSync(join(tmpdir(), "reprise-test-"));
  try {
    const prepared = await prepareTemplate(args, model, bundle, tmp);
    if (typeof prepared === "number") return prepared;
    return await runNodeTest(args, files, prepared);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Start-up check + template: loads the bundle, resolves the runtime config (secrets as `reprise run` resolves them)
 * and opens every database in a temporary folder, applying its migrations, then closes them. A failure here is
 * reported once, instead of in every test file.
 */
async function prepareTemplate(args: TestArgs, model: AppModel, bundle: string, tmp: string): Promise<TestState | number> {
  const { loadRuntimeConfig, prepareInfra, stopInfra } = await import("reprise/config");
  const { clientsModule, entryModule, sdkRoot } = await import("../run/build.js");
  let resolved;
  try {
    resolved = loadRuntimeConfig(args.appRoot, args.config);
  } catch (e) {
    console.error(`reprise test: ${(e as Error).message}`);
    return 1;
  }
  const templateDb = join(tmp, "template-db");
  const config = { secrets: resolved.secrets, tracing: { exporter: "none" } };
  const templateConfig = join(tmp, "template.config.json");
  writeFileSync(templateConfig, JSON.stringify({ ...config, sql: { dataDir: templateDb }, buckets: { root: join(tmp, "template-buckets") } }));
  mkdirSync(templateDb, { recursive: true });
  try {
    process.setSourceMapsEnabled(true);
    await import(pathToFileURL(bundle).href);
  } catch (e) {
    console.error(`reprise test: the app failed to start: loading its modules threw:\n${(e as Error).stack ?? e}`);
    return 1;
  }
  const started = Date.now();
  try {
    const p = await prepareInfra({ appRoot: args.appRoot, model, configFile: templateConfig, startCron: false });
    await p.abandon();
  } catch (e) {
    console.error(`reprise test: the app failed to start: ${(e as Error).message}`);
    return 1;
  } finally {
    await stopInfra().catch(() => {});
  }
  if (process.env.REPRISE_TIMINGS === "1") console.error(`reprise test: template databases migrated in ${Date.now() - started} ms`);
  const modelFile = join(tmp, "model.json");
  writeFileSync(modelFile, JSON.stringify(model));
  const clientsFile = join(tmp, "clients.mjs");
  writeFileSync(clientsFile, clientsModule(model));
  const entryFile = join(tmp, "entry.mjs");
  writeFileSync(entryFile, entryModule(model, args.appRoot));
  return { appRoot: args.appRoot, modelFile, clientsFile, entryFile, sdkRoot: sdkRoot(), templateDb, config, tmpDir: tmp };
}

function runNodeTest(args: TestArgs, files: string[], state: TestState): Promise<number> {
  const stateFile = join(state.tmpDir, "state.json");
  writeFileSync(stateFile, JSON.stringify(state));
  const setup = pathToFileURL(fileURLToPath(new URL("./setup.js", import.meta.url))).href;
  const reporters: string[] = [];
  if (args.junit) {
    const tty = process.stdout.isTTY;
    reporters.push(`--test-reporter=${tty ? "spec" : "tap"}`, "--test-reporter-destination=stdout", "--test-reporter=junit", `--test-reporter-destination=${args.junit}`);
  }
  const env: NodeJS.ProcessEnv = { ...process.env, REPRISE_TEST_STATE: stateFile };
  // The test processes use the config written for them; an app's environment selection does not apply to it.
  delete env.REPRISE_CONFIG;
  delete env.REPRISE_ENV;
  // Started from inside another node:test run, the runner would otherwise take itself for a child.
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, ["--enable-source-maps", "--import", setup, "--test", ...reporters, ...args.runnerArgs, ...files], {
    cwd: args.appRoot,
    env,
    stdio: "inherit",
  });
  const forward = (sig: NodeJS.Signals) => () => child.kill(sig);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
