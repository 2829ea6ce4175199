/**
 * `reprise test [appRoot-or-pattern…] [--junit FILE] [--config FILE] [-- runner args]`: runs the app's tests on
 * an isolated copy of its infrastructure (src/test/).
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";

export const TEST_USAGE = `Usage: reprise test [pattern…] [--app DIR] [--name REGEX] [--junit FILE] [--config FILE] [-- runner args]

Analyses and bundles the app as \`reprise run\` does, checks that it starts, then runs its test files
(*.test.ts, *.spec.ts, .mts/.js/.mjs) with node --test. Each test file runs in a process of its own with its own
copy of every database (fresh embedded PGlite cloned from the migrated template; never .reprise/db), in-process
pub/sub, a temporary bucket folder and the secrets \`reprise run\` would use.
  pattern            run only the test files whose path (relative to the app) contains it
  --app DIR          the app (default: found from the current directory)
  --name REGEX       run only the tests whose name matches (node: --test-name-pattern, vitest: -t)
  --junit FILE       also write a JUnit XML report to FILE
  --config FILE      runtime config to take secrets from (default as for reprise run)
  -- args            passed to the runner (e.g. -- --test-name-pattern=orders)
Exit code: the runner's (0 all passed); 1 when the app has errors or fails to start; 2 usage.`;

export async function run(argv: string[]): Promise<number> {
  const patterns: string[] = [];
  let runnerArgs: string[] = [];
  let app: string | null = null;
  let junit: string | null = null;
  let config: string | null = null;
  let name: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | null => {
      const eq = a.indexOf("=");
      if (eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      return v === undefined || v.startsWith("-") ? null : v;
    };
    if (a === "--") {
      runnerArgs = argv.slice(i + 1);
      break;
    } else if (a === "--help" || a === "-h") {
      console.log(TEST_USAGE);
      return 0;
    } else if (a === "--app" || a.startsWith("--app=")) {
      if (!(app = value())) return usage("--app needs a folder");
    } else if (a === "--name" || a.startsWith("--name=")) {
      const eq = a.indexOf("=");
      name = eq > 0 ? a.slice(eq + 1) : (argv[++i] ?? null);
      if (!name) return usage("--name needs a pattern");
      try {
        new RegExp(name);
      } catch (e) {
        return usage(`--name ${name}: not a regular expression (${(e as Error).message})`);
      }
    } else if (a === "--junit" || a.startsWith("--junit=")) {
      if (!(junit = value())) return usage("--junit needs a file name");
    } else if (a === "--config" || a.startsWith("--config=")) {
      if (!(config = value())) return usage("--config needs a file name");
    } else if (a.startsWith("-")) {
      return usage(`unknown option ${a} (runner options go after --)`);
    } else patterns.push(a);
  }
  const { findAppRoot } = await import("@reprise/analyzer/node");
  const start = resolve(app ?? process.cwd());
  if (app && !(existsSync(start) && statSync(start).isDirectory())) return usage(`--app ${app}: no such folder`);
  const appRoot = findAppRoot(start);
  if (!appRoot) {
    console.error(`reprise test: no reprise.app or encore.app found in ${start} or its parents`);
    return 2;
  }
  const { prepareApp, formatDiagnostics } = await import("../run/build.js");
  let prepared;
  try {
    prepared = await prepareApp(appRoot);
  } catch (e) {
    const errs = (e as { errors?: { text: string }[] }).errors;
    console.error(`reprise test: could not bundle the app:\n${errs?.length ? errs.map((x) => `  ${x.text}`).join("\n") : String(e)}`);
    return 1;
  }
  if (prepared.errors.length || !prepared.bundle) {
    console.error(`reprise test: the app has ${prepared.errors.length} error(s); fix them to test:\n${formatDiagnostics(prepared.errors)}`);
    return 1;
  }
  const { runTests } = await import("../test/run.js");
  return runTests(
    { appRoot, patterns, runnerArgs, name, junit: junit ? resolve(junit) : null, config: config ? resolve(config) : null },
    prepared.model,
    prepared.bundle,
  );
}

function usage(message: string): number {
  console.error(`reprise test: ${message}\n\n${TEST_USAGE}`);
  return 2;
}
