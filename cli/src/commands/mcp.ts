/**
 * `reprise mcp [appDir]`: a Model Context Protocol server over stdio for coding agents (cli/src/mcp/server.ts):
 * the app model and diagnostics from the files, the rest through the running app's admin API. docs/mcp.md has the
 * client configuration.
 */
import { parseArgs } from "node:util";

const HELP = `Usage: reprise mcp [appDir]

Serves the Model Context Protocol over stdio (for coding agents such as Claude Code, Cursor, VS Code, Zed) for the
app in appDir (default: the current directory): app model, diagnostics and quick fixes (no running app needed);
endpoints, traces, database schema and read-only queries, migrations, publishing, cron, bucket objects (through
the app started with \`reprise run\`). See docs/mcp.md.`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: "boolean", short: "h" } } });
  } catch (e) {
    console.error(`reprise mcp: ${(e as Error).message}\n${HELP}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(HELP);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    console.error(`reprise mcp: unexpected argument '${parsed.positionals[1]}'\n${HELP}`);
    return 2;
  }
  const { serveMcp } = await import("../mcp/server.js");
  await serveMcp({ appDir: parsed.positionals[0] ?? process.cwd() });
  return 0;
}
