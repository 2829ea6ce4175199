/**
 * `reprise openapi [appRoot] [--out FILE]`: an OpenAPI 3.1 document (JSON) of the app's exposed endpoints.
 * Exit 0 = written; 1 = error diagnostics (printed) make the document unreliable; 2 = usage or IO failure.
 */
import { writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { LIMIT_FLAGS, limitOptions, loadApp, parseArgs } from "../render/app.js";
import { renderDiagnostic, summary, useColor } from "../render/diagnostics.js";
import { buildOpenApi } from "../openapi/document.js";
import { fail } from "./check.js";

const HELP = `Usage: reprise openapi [appRoot] [--out FILE] [--max-nesting-depth N] [--max-file-size BYTES]

Prints an OpenAPI 3.1 document (JSON) of the exposed endpoints (expose: true) of the app whose root (the folder
with encore.app or reprise.app) contains appRoot (default: the current directory). --out writes it to FILE.
Exit code: 0 written, 1 error diagnostics prevent a reliable document (they are printed), 2 usage or IO failure.`;

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, options } = parseArgs(args, ["out", ...LIMIT_FLAGS], ["help"]);
    if (options.has("help")) {
      console.log(HELP);
      return 0;
    }
    const app = loadApp(positionals[0], limitOptions(options));
    const model = app.result.model;
    const errors = model.diagnostics.filter((d) => d.severity === "error");
    if (errors.length) {
      const color = useColor(process.stderr);
      const text = new Map(app.files.map((f) => [f.path, f.text]));
      const cwd = process.cwd();
      const display = (file: string) => {
        const rel = relative(cwd, join(app.root, file));
        return rel.startsWith("..") ? join(app.root, file) : rel;
      };
      const out = errors.map((d) => renderDiagnostic(d, { color, source: (f) => text.get(f), displayPath: display }) + "\n");
      out.push(`${summary(errors, color)}: fix them to get an OpenAPI document.`);
      process.stderr.write(out.join("\n") + "\n");
      return 1;
    }
    const pkg = app.files.find((f) => f.path === "package.json");
    let version: string | undefined;
    try {
      version = pkg ? (JSON.parse(pkg.text) as { version?: string }).version : undefined;
    } catch {
      version = undefined;
    }
    const doc = buildOpenApi(model, { version });
    const json = JSON.stringify(doc, null, 2) + "\n";
    const outFile = options.get("out");
    if (typeof outFile === "string") writeFileSync(resolve(outFile), json);
    else {
      // `reprise openapi | head` closes the pipe early; that is not an error.
      process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
      });
      process.stdout.write(json);
    }
    return 0;
  } catch (err) {
    return fail(err);
  }
}
