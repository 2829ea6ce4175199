/**
 * `reprise` command line. Each sub-command lives in src/commands/<name>.ts and exports
 * `run(args: string[]): Promise<number>` returning the exit code (0 ok, 1 error diagnostics / failure, 2 usage or IO).
 */
const commands: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
  check: { summary: "analyse an app and print its diagnostics", load: () => import("./commands/check.js") },
  graph: { summary: "print the architecture graph (mermaid or json)", load: () => import("./commands/graph.js") },
  openapi: { summary: "print an OpenAPI 3.1 document of the exposed endpoints", load: () => import("./commands/openapi.js") },
  gen: { summary: "generate a client for the exposed endpoints (gen client --lang typescript|openapi)", load: () => import("./commands/gen.js") },
  build: { summary: "write a self-contained production folder of the app (--docker adds a Dockerfile)", load: () => import("./commands/build.js") },
  run: { summary: "run the app on the Reprise runtime", load: () => import("./commands/run.js") },
  test: { summary: "run the app's tests on an isolated copy of its infrastructure", load: () => import("./commands/test.js") },
  lsp: { summary: "start the language server (--stdio)", load: () => import("./commands/lsp.js") },
  traces: { summary: "list a running app's recent traces, or print one as a tree", load: () => import("./commands/traces.js") },
  cron: { summary: "list a running app's cron jobs, or run one now", load: () => import("./commands/cron.js") },
  pubsub: { summary: "publish a message to a running app's topic", load: () => import("./commands/pubsub.js") },
  metrics: { summary: "print a running app's metric series (counters, gauges)", load: () => import("./commands/metrics.js") },
  docs: { summary: "write the service catalog (API docs per endpoint) as static HTML (--out DIR)", load: () => import("./commands/docs.js") },
  mcp: { summary: "serve the Model Context Protocol over stdio for coding agents", load: () => import("./commands/mcp.js") },
};

export function usage(): string {
  const lines = ["Usage: reprise <command> [options]", "", "Commands:"];
  for (const [name, c] of Object.entries(commands)) lines.push(`  ${name.padEnd(10)}${c.summary}`);
  lines.push("", "Run `reprise <command> --help` for a command's options.");
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  if (name === "--version" || name === "-v") {
    console.log("0.1.0");
    return 0;
  }
  const command = commands[name];
  if (!command) {
    console.error(`reprise: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}
