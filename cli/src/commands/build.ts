/**
 * `reprise build [appRoot] [--out DIR] [--docker] [--target PLATFORM] [--embedded-databases]`: a self-contained
 * production folder of the app (src/build/production.ts, docs/build.md), started with `node DIR/main.mjs`.
 * Exit 0 = built; 1 = error diagnostics (printed) or a bundling failure; 2 = usage, target or IO failure.
 */
import { join, relative, resolve } from "node:path";
import { LIMIT_FLAGS, limitOptions, loadApp, parseArgs, UsageError } from "../render/app.js";
import { renderDiagnostic, summary, useColor } from "../render/diagnostics.js";
import { fail } from "./check.js";

const HELP = `Usage: reprise build [appRoot] [--out DIR] [--docker] [--target PLATFORM] [--embedded-databases]

Writes a self-contained production folder of the app whose root (the folder with encore.app or reprise.app)
contains appRoot (default: the current directory): the app bundled (minified, source maps), its model, the
Reprise SDK with the runtime addon for this platform, migrations and static assets, a package.json of the pinned
runtime packages and main.mjs. Run it from anywhere, with no npm install:
  node DIR/main.mjs [--port N] [--config FILE]      (or PORT, REPRISE_CONFIG; REPRISE_ENV defaults to production)
No infrastructure config is needed to build; at start, outside REPRISE_ENV=local, every database URL, the
pub/sub broker and every secret must be configured, or start-up names each missing one.
  --out DIR             the folder (default: build/ in the app root); an earlier build there is replaced
  --docker              also write a Dockerfile (node:20-slim, non-root, HEALTHCHECK) and .dockerignore
  --target PLATFORM     only this machine's platform (${process.platform}-${process.arch}) can be built here
  --embedded-databases  include PGlite, for trying the build with REPRISE_ENV=local without PostgreSQL
Exit code: 0 built, 1 error diagnostics or a bundling failure, 2 usage, target or IO failure.`;

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, options } = parseArgs(args, ["out", "target", ...LIMIT_FLAGS], ["help", "docker", "embedded-databases"]);
    if (options.has("help")) {
      console.log(HELP);
      return 0;
    }
    const { BuildError, buildProduction, checkTarget } = await import("../build/production.js");
    const target = options.get("target") as string | undefined;
    try {
      checkTarget(target);
    } catch (e) {
      if (e instanceof BuildError) throw new UsageError(e.message);
      throw e;
    }
    const app = loadApp(positionals[0], limitOptions(options));
    const model = app.result.model;
    const errors = model.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) {
      const color = useColor(process.stderr);
      const text = new Map(app.files.map((f) => [f.path, f.text]));
      const display = (file: string) => {
        const rel = relative(process.cwd(), join(app.root, file));
        return rel.startsWith("..") ? join(app.root, file) : rel;
      };
      const out = errors.map((d) => renderDiagnostic(d, { color, source: (f) => text.get(f), displayPath: display }) + "\n");
      out.push(`${summary(errors, color)}: a production build needs a clean analysis.`);
      process.stderr.write(out.join("\n") + "\n");
      return 1;
    }
    const outDir = resolve((options.get("out") as string | undefined) ?? join(app.root, "build"));
    const started = Date.now();
    let result;
    try {
      result = await buildProduction({ appRoot: app.root, model, outDir, target, docker: options.has("docker"), embeddedDatabases: options.has("embedded-databases") });
    } catch (e) {
      if (e instanceof BuildError) {
        console.error(`reprise build: ${e.message}`);
        return e.code === "RP_BUILD_BUNDLE" ? 1 : 2;
      }
      throw e;
    }
    const mb = (result.bytes / 1024 / 1024).toFixed(1);
    const shown = relative(process.cwd(), result.outDir) || ".";
    console.log(`Built '${model.app.id || "app"}' into ${shown} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${mb} MB, ${result.files} files (${result.bundledInputs} modules bundled; runtime packages ${Object.entries(result.packages).map(([n, v]) => `${n}@${v}`).join(", ")}).`);
    if (result.bytes > 40 * 1024 * 1024) console.log(`note: the folder is over the 40 MB goal.`);
    console.log(`Start it with: node ${join(shown, "main.mjs")} --port 8080 --config prod.config.json${options.has("docker") ? `\nImage: docker build -t ${(model.app.id || "app").toLowerCase()} ${shown}` : ""}`);
    return 0;
  } catch (err) {
    return fail(err);
  }
}
