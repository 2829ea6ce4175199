/**
 * `reprise gen client [appRoot] --lang typescript|openapi [--out FILE] [--base-url URL]`: a client for the app's
 * exposed endpoints. TypeScript: a dependency-free module on fetch/WebSocket (src/client/typescript.ts); openapi:
 * the same document as `reprise openapi`.
 * Exit 0 = written; 1 = error diagnostics (printed) make the client unreliable; 2 = usage or IO failure.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { LIMIT_FLAGS, limitOptions, loadApp, parseArgs, UsageError } from "../render/app.js";
import { renderDiagnostic, summary, useColor } from "../render/diagnostics.js";
import { buildOpenApi } from "../openapi/document.js";
import { generateTypeScriptClient } from "../client/typescript.js";
import { fail } from "./check.js";

const HELP = `Usage: reprise gen client [appRoot] [--lang typescript|openapi] [--out FILE] [--base-url URL]

Generates a client for the exposed endpoints (expose: true) of the app whose root (the folder with encore.app or
reprise.app) contains appRoot (default: the current directory), printed or written to FILE.
  --lang typescript  (default) a dependency-free TypeScript module on fetch and WebSocket (browsers, Node 20, Deno):
                     new Client(BASE_URL, { auth }).<service>.<endpoint>(params), typed APIError, typed streams
  --lang openapi     an OpenAPI 3.1 document (JSON), the same as \`reprise openapi\`
  --base-url URL     the default base URL of new Client() (default http://localhost:4000)
Exit code: 0 written, 1 error diagnostics prevent a reliable client (they are printed), 2 usage or IO failure.`;

const LANGS = ["typescript", "openapi"];

export async function run(args: string[]): Promise<number> {
  try {
    const [what, ...rest] = args;
    if (what === "--help" || what === "-h" || what === undefined) {
      console.log(HELP);
      return what === undefined ? 2 : 0;
    }
    if (what !== "client") throw new UsageError(`unknown generator '${what}' (only 'reprise gen client')`);
    const { positionals, options } = parseArgs(rest, ["out", "lang", "base-url", ...LIMIT_FLAGS], ["help"]);
    if (options.has("help")) {
      console.log(HELP);
      return 0;
    }
    const lang = (options.get("lang") as string | undefined) ?? "typescript";
    if (!LANGS.includes(lang)) throw new UsageError(`--lang must be one of ${LANGS.join(", ")}, got '${lang}'`);
    const baseUrl = options.get("base-url") as string | undefined;
    if (baseUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(baseUrl)) throw new UsageError(`--base-url needs an http(s) URL, got '${baseUrl}'`);
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
      out.push(`${summary(errors, color)}: fix them to generate a client.`);
      process.stderr.write(out.join("\n") + "\n");
      return 1;
    }
    let output: string;
    if (lang === "openapi") {
      const pkg = app.files.find((f) => f.path === "package.json");
      let version: string | undefined;
      try {
        version = pkg ? (JSON.parse(pkg.text) as { version?: string }).version : undefined;
      } catch {
        version = undefined;
      }
      output = JSON.stringify(buildOpenApi(model, { version }), null, 2) + "\n";
    } else output = generateTypeScriptClient(model, { baseUrl });
    const outFile = options.get("out");
    if (typeof outFile === "string") {
      const file = resolve(outFile);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, output);
    } else {
      process.stdout.on("error", (e: NodeJS.ErrnoException) => {
        if (e.code !== "EPIPE") throw e;
      });
      process.stdout.write(output);
    }
    return 0;
  } catch (err) {
    return fail(err);
  }
}
