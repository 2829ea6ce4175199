/**
 * `reprise test`: prepares the app as `reprise run` does (analysis must be clean; bundled), checks that it starts
 * (its modules load, secrets resolve, migrations apply) on a throw-away copy of its infrastructure — migrating
 * each database once into a template — and then runs the app's tests with `node --test`, each test file in a
 * process of its own that loads the template databases into memory (setup.ts). The dev databases under `.reprise/db` are
 * never opened. Exit code = the runner's.
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { AppModel } from "@reprise/protocol";
import { tsconfigPathAliases, type PathAlias } from "@reprise/analyzer/resolve";
import type { TestState } from "./setup.js";

export interface TestArgs {
  appRoot: string;
  patterns: string[];
  runnerArgs: string[];
  junit: string | null;
  /** Only the tests whose (full) name matches this regular expression. */
  name?: string | null;
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
    const vitest = findVitest(args.appRoot);
    if (vitest && "error" in vitest) {
      console.error(`reprise test: ${vitest.error}`);
      return 2;
    }
    return vitest ? await runVitest(args, vitest, prepared) : await runNodeTest(args, files, prepared);
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
  // The databases open in memory from the initialised cluster (no data directory is copied or written); once
  // migrated, each is dumped to a tar that every test process loads into an in-memory database of its own.
  const hooks = await import("reprise/internal/test-hooks");
  const { clusterDump } = await import("reprise/internal/pglite-template");
  const config = { secrets: resolved.secrets, tracing: { exporter: "none" } };
  const templateConfig = join(tmp, "template.config.json");
  writeFileSync(templateConfig, JSON.stringify({ ...config, sql: { dataDir: join(tmp, "template-db") }, buckets: { root: join(tmp, "template-buckets") } }));
  try {
    process.setSourceMapsEnabled(true);
    await import(pathToFileURL(bundle).href);
  } catch (e) {
    console.error(`reprise test: the app failed to start: loading its modules threw:\n${(e as Error).stack ?? e}`);
    return 1;
  }
  const started = Date.now();
  const templateDumps: Record<string, string> = {};
  const dumpDir = join(tmp, "db");
  mkdirSync(dumpDir, { recursive: true });
  hooks.setTestHooks({ databaseDump: () => clusterDump() });
  try {
    const p = await prepareInfra({ appRoot: args.appRoot, model, configFile: templateConfig, startCron: false });
    try {
      const dumps = await hooks.dumpDatabases(model.app.databases.map((db) => db.name));
      for (const [name, blob] of dumps) {
        templateDumps[name] = join(dumpDir, `${encodeURIComponent(name)}.tar`);
        writeFileSync(templateDumps[name]!, new Uint8Array(await blob.arrayBuffer()));
      }
    } finally {
      await p.abandon();
    }
  } catch (e) {
    console.error(`reprise test: the app failed to start: ${(e as Error).message}`);
    return 1;
  } finally {
    hooks.setTestHooks(undefined);
    await stopInfra().catch(() => {});
  }
  if (process.env.REPRISE_TIMINGS === "1") console.error(`reprise test: template databases migrated in ${Date.now() - started} ms`);
  const modelFile = join(tmp, "model.json");
  writeFileSync(modelFile, JSON.stringify(model));
  const clientsFile = join(tmp, "clients.mjs");
  writeFileSync(clientsFile, clientsModule(model));
  const entryFile = join(tmp, "entry.mjs");
  writeFileSync(entryFile, entryModule(model, args.appRoot));
  return { appRoot: args.appRoot, modelFile, clientsFile, entryFile, sdkRoot: sdkRoot(), templateDumps, config, tmpDir: tmp, aliases: appAliases(args.appRoot) };
}

/** The `paths` aliases of the app's tsconfig.json (none without one). */
function appAliases(appRoot: string): PathAlias[] {
  const file = join(appRoot, "tsconfig.json");
  return existsSync(file) ? tsconfigPathAliases(readFileSync(file, "utf8")) : [];
}

/** The app's own vitest (3.x or 4.x; later majors need Node 22), or null when it has none. */
export function findVitest(appRoot: string): { bin: string; version: string; major: number } | { error: string } | null {
  let pkgFile: string;
  try {
    pkgFile = createRequire(join(appRoot, "package.json")).resolve("vitest/package.json");
  } catch {
    return null;
  }
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { version: string; bin?: Record<string, string> | string };
  const major = Number(pkg.version.split(".")[0]);
  if (major !== 3 && major !== 4) return { error: `the app's vitest is ${pkg.version}; reprise test runs vitest 3.x and 4.x (later majors need Node 22)` };
  const bin = typeof pkg.bin === "string" ? pkg.bin : (pkg.bin?.vitest ?? "vitest.mjs");
  return { bin: join(dirname(pkgFile), bin), version: pkg.version, major };
}

const VITEST_CONFIGS = ["vitest.config.ts", "vitest.config.mts", "vitest.config.js", "vitest.config.mjs"];

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The vitest config of a run: the app's own config (if any) merged with what the runtime needs. Test files run in
 * forked worker processes that load setup.js first (one set of databases per worker process); the app's modules
 * and the SDK are externalised, so the tests and the runtime share them (loaded by Node through hooks.ts).
 *
 * The file is written inside the app (`.reprise/test/`) so the bare imports of the app's own config resolve from the
 * app as they would from the app's folder, and it imports nothing from vitest itself: vite 8 (vitest 4) bundles the
 * config, and an inlined `vitest/config` reached through a file URL was turned into a `require` of an `.mjs` file
 * that Node 20 cannot load. The merge below follows vitest's `mergeConfig`: objects deeply, arrays concatenated,
 * `resolve.alias` as a list with the runtime's entries first.
 */
function vitestConfig(args: TestArgs, vitest: { major: number }, state: TestState, setup: string): string {
  const own = VITEST_CONFIGS.map((f) => join(args.appRoot, f)).find((f) => existsSync(f)) ?? null;
  const sdk = join(state.sdkRoot, "dist", "src");
  const re = (source: string) => `new RegExp(${JSON.stringify(source)})`;
  const str = (v: string) => JSON.stringify(v);
  const sdkFiles = re(`^${escapeRe(sdk)}/`);
  // The app's own modules but its test files (which vitest transforms itself).
  const appFiles = re(`^${escapeRe(args.appRoot)}/(?!node_modules/)(?!.*\\.(test|spec)\\.[cm]?[jt]sx?$).*\\.[cm]?[jt]sx?$`);
  const execArgv = JSON.stringify(["--enable-source-maps", "--import", setup]);
  const pool = vitest.major === 3 ? `pool: "forks", poolOptions: { forks: { execArgv: ${execArgv} } },` : `pool: "forks", execArgv: ${execArgv},`;
  // The app's tsconfig paths (the first target of each), as the node --test hooks resolve them.
  const paths = state.aliases
    .filter((a) => a.targets.length)
    .map((a) => {
      const find = a.wildcard ? `^${escapeRe(a.prefix)}(.*)${escapeRe(a.suffix)}$` : `^${escapeRe(a.prefix)}$`;
      return `      { find: ${re(find)}, replacement: ${str(join(args.appRoot, a.wildcard ? a.targets[0]!.replace("*", "$1") : a.targets[0]!))} },`;
    })
    .join("\n");
  return `${own ? `import base from ${str(pathToFileURL(own).href)};` : "const base = {};"}
const ours = {
  root: ${str(args.appRoot)},
  resolve: {
    alias: [
      { find: ${re("^encore\\.dev$")}, replacement: ${str(join(sdk, "index.js"))} },
      { find: ${re("^encore\\.dev/(.*)$")}, replacement: ${str(join(sdk, "$1", "index.js"))} },
      { find: ${re("^reprise$")}, replacement: ${str(join(sdk, "index.js"))} },
      { find: ${re("^reprise/(.*)$")}, replacement: ${str(join(sdk, "$1", "index.js"))} },
      { find: ${re("^~(encore|reprise)/clients(/.*)?$")}, replacement: ${str(state.clientsFile)} },
      { find: ${re("^~(encore|reprise)/auth(/.*)?$")}, replacement: ${str(join(sdk, "auth", "index.js"))} },
${paths}
    ],
  },
  test: {
    ${pool}
    server: { deps: { external: [${sdkFiles}, ${appFiles}] } },
  },
};
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof RegExp);
const aliasList = (a) => (Array.isArray(a) ? a : isObject(a) ? Object.entries(a).map(([find, replacement]) => ({ find, replacement })) : []);
function merge(a, b, key) {
  if (key === "alias") return [...aliasList(b), ...aliasList(a)];
  if (Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (isObject(a) && isObject(b)) {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in a ? merge(a[k], v, k) : v;
    return out;
  }
  return b === undefined ? a : b;
}
export default async (env) => merge((typeof base === "function" ? await base(env) : await base) ?? {}, ours);
`;
}

async function runVitest(args: TestArgs, vitest: { bin: string; major: number }, state: TestState): Promise<number> {
  const setup = writeState(state);
  const configDir = join(args.appRoot, ".reprise", "test");
  mkdirSync(configDir, { recursive: true });
  const configFile = join(configDir, `vitest.config.${process.pid}.mjs`);
  writeFileSync(configFile, vitestConfig(args, vitest, state, setup));

  const watch = args.runnerArgs.some((a) => a === "--watch" || a === "-w");
  const reporters = args.junit ? ["--reporter=default", "--reporter=junit", `--outputFile.junit=${args.junit}`] : [];
  const name = args.name ? ["-t", args.name] : [];
  try {
    return await spawnRunner(args, state, [vitest.bin, ...(watch ? [] : ["run"]), "--config", configFile, ...reporters, ...name, ...args.runnerArgs, ...args.patterns]);
  } finally {
    rmSync(configFile, { force: true });
  }
}

function writeState(state: TestState): string {
  const stateFile = join(state.tmpDir, "state.json");
  writeFileSync(stateFile, JSON.stringify(state));
  return pathToFileURL(fileURLToPath(new URL("./setup.js", import.meta.url))).href;
}

function runNodeTest(args: TestArgs, files: string[], state: TestState): Promise<number> {
  const setup = writeState(state);
  const reporters: string[] = [];
  if (args.junit) {
    const tty = process.stdout.isTTY;
    reporters.push(`--test-reporter=${tty ? "spec" : "tap"}`, "--test-reporter-destination=stdout", "--test-reporter=junit", `--test-reporter-destination=${args.junit}`);
  }
  return spawnRunner(args, state, ["--enable-source-maps", "--import", setup, "--test", ...reporters, ...(args.name ? [`--test-name-pattern=${args.name}`] : []), ...args.runnerArgs, ...files]);
}

function spawnRunner(args: TestArgs, state: TestState, argv: string[]): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, REPRISE_TEST_STATE: join(state.tmpDir, "state.json") };
  // The test processes use the config written for them; an app's environment selection does not apply to it.
  delete env.REPRISE_CONFIG;
  delete env.REPRISE_ENV;
  // Started from inside another node:test run, the runner would otherwise take itself for a child.
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, argv, {
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
