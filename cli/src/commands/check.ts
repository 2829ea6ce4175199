/** `reprise check [appRoot] [--json]`: analyse an app; exit 0 = no errors, 1 = error diagnostics, 2 = usage/IO. */
import { join, relative } from "node:path";
import { loadApp, parseArgs, UsageError } from "../render/app.js";
import { renderDiagnostic, summary, useColor } from "../render/diagnostics.js";

const HELP = `Usage: reprise check [appRoot] [--json]

Analyses the app whose root (the folder with encore.app or reprise.app) contains appRoot (default: the current
directory) and prints its diagnostics. --json prints the app model (version 1) with all diagnostics instead.
Exit code: 0 no errors, 1 error diagnostics, 2 usage or IO failure.`;

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, options } = parseArgs(args, [], ["json", "help"]);
    if (options.has("help")) {
      console.log(HELP);
      return 0;
    }
    const app = loadApp(positionals[0]);
    const model = app.result.model;
    const hasErrors = model.diagnostics.some((d) => d.severity === "error");
    if (options.has("json")) {
      process.stdout.write(JSON.stringify(model, null, 2) + "\n");
      return hasErrors ? 1 : 0;
    }
    const color = useColor(process.stdout);
    const text = new Map(app.files.map((f) => [f.path, f.text]));
    const cwd = process.cwd();
    const display = (file: string) => {
      const rel = relative(cwd, join(app.root, file));
      return rel.startsWith("..") ? join(app.root, file) : rel;
    };
    const out: string[] = [];
    for (const d of model.diagnostics) {
      out.push(renderDiagnostic(d, { color, source: (f) => text.get(f), displayPath: display }));
      out.push("");
    }
    const svc = model.app.services.length;
    const eps = model.app.services.reduce((n, s) => n + s.endpoints.length, 0);
    out.push(`${summary(model.diagnostics, color)} (${svc} service${svc === 1 ? "" : "s"}, ${eps} endpoint${eps === 1 ? "" : "s"}, app '${model.app.id}')`);
    process.stdout.write(out.join("\n") + "\n");
    return hasErrors ? 1 : 0;
  } catch (err) {
    return fail(err);
  }
}

export function fail(err: unknown): number {
  if (err instanceof UsageError) console.error(`reprise: ${err.message}`);
  else console.error(`reprise: ${(err as NodeJS.ErrnoException)?.code === "EACCES" ? "permission denied: " : ""}${(err as Error)?.message ?? err}`);
  return 2;
}
