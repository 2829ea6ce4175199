/**
 * Which part of the language server this process runs, decided from its arguments and environment before
 * anything heavy is loaded: the supervisor (what the editor starts for stdio and node-ipc; supervisor.ts) needs
 * neither the analyser nor the LSP feature code, so it loads only the message plumbing and spawns the real server
 * at once; the server (the supervisor's worker, or --socket / --pipe, or REPRISE_LSP_SUPERVISOR=0) and the
 * isolated parser child (parse-host.ts) load the rest. Keep this module's imports to type-only ones.
 */
export type ProcessRole = { kind: "parse-child" } | { kind: "supervisor"; transport: "stdio" | "ipc" } | { kind: "server"; viaArgv: boolean };

export function processRole(argv: readonly string[], env: NodeJS.ProcessEnv): ProcessRole {
  if (env.REPRISE_PARSE_CHILD === "1") return { kind: "parse-child" };
  const other = argv.some((a) => a.startsWith("--socket") || a.startsWith("--pipe"));
  if (env.REPRISE_LSP_WORKER !== "1" && env.REPRISE_LSP_SUPERVISOR !== "0" && !other) return { kind: "supervisor", transport: argv.includes("--node-ipc") ? "ipc" : "stdio" };
  return { kind: "server", viaArgv: !argv.includes("--stdio") && (other || argv.includes("--node-ipc")) };
}

/** The process entry (dist/src/server.js, the bundles' server.mjs, `reprise lsp`): loads only what the role needs. */
export async function runProcess(): Promise<void> {
  const role = processRole(process.argv.slice(2), process.env);
  if (role.kind === "supervisor") return (await import("./supervisor.js")).runSupervisor(role.transport);
  (await import("./connection.js")).runServerProcess(role);
}
