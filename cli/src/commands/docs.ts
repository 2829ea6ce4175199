/**
 * `reprise docs --out DIR [appRoot]`: writes the app's service catalog (services, endpoints, request and response
 * fields, examples) as static HTML (cli/src/docs/catalog.ts) into DIR. Exit 0 written, 1 the app has errors (the
 * catalog is still written, from what the analyser understood), 2 usage or IO failure.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { catalogFiles } from "../docs/catalog.js";
import { loadApp } from "../render/app.js";

const HELP = `Usage: reprise docs --out DIR [appRoot]

Writes the service catalog of the app (default: the one the current directory belongs to) as static HTML into DIR
(index.html and catalog.css; no scripts, no remote content): each service's endpoints with their doc comments,
method and path, auth, request fields by where they are read, response fields and an example request.`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { out: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } } });
  } catch (e) {
    console.error(`reprise docs: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  const out = parsed.values.out;
  if (!out || parsed.positionals.length > 1) {
    console.error(`reprise docs: ${out ? `unexpected argument '${parsed.positionals[1]}'` : "--out DIR is required"}\n${HELP}`);
    return 2;
  }
  try {
    const app = loadApp(parsed.positionals[0]);
    const model = app.result.model;
    const dir = resolve(out);
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of catalogFiles(model)) writeFileSync(join(dir, name), text);
    const errors = model.diagnostics.filter((d) => d.severity === "error").length;
    const eps = model.app.services.reduce((n, s) => n + s.endpoints.length, 0);
    console.log(`wrote ${join(dir, "index.html")} (${model.app.services.length} services, ${eps} endpoints)`);
    if (errors) console.error(`the app has ${errors} error(s) (see \`reprise check\`); the catalog shows what the analyser understood`);
    return errors ? 1 : 0;
  } catch (e) {
    console.error(`reprise docs: ${(e as Error).message}`);
    return 2;
  }
}
