/** `reprise graph [appRoot] [--format mermaid|json]`: the architecture graph of an app. */
import { toGraph, toMermaid } from "@reprise/protocol";
import { LIMIT_FLAGS, limitOptions, loadApp, parseArgs, UsageError } from "../render/app.js";
import { fail } from "./check.js";

const HELP = `Usage: reprise graph [appRoot] [--format mermaid|json] [--max-nesting-depth N] [--max-file-size BYTES]

Prints the architecture graph (services, databases, topics, calls, cron jobs, buckets, gateway) of the app
containing appRoot (default: the current directory). Default format: mermaid. Exit code 2 on usage or IO failure.`;

export async function run(args: string[]): Promise<number> {
  try {
    const { positionals, options } = parseArgs(args, ["format", ...LIMIT_FLAGS], ["help"]);
    if (options.has("help")) {
      console.log(HELP);
      return 0;
    }
    const format = options.get("format") ?? "mermaid";
    if (format !== "mermaid" && format !== "json") throw new UsageError(`--format must be mermaid or json, got '${format}'`);
    const app = loadApp(positionals[0], limitOptions(options));
    const graph = toGraph(app.result.model);
    process.stdout.write(format === "json" ? JSON.stringify(graph, null, 2) + "\n" : toMermaid(graph) + (toMermaid(graph).endsWith("\n") ? "" : "\n"));
    return 0;
  } catch (err) {
    return fail(err);
  }
}
