/**
 * `reprise lsp [--stdio | --node-ipc | --socket=<port>]`: runs the Reprise language server, so any LSP editor
 * (Neovim, Helix, Zed, …) can use it. stdio is the default transport. The process ends on the client's `exit`.
 */
export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(
      [
        "Usage: reprise lsp [--stdio | --node-ipc | --socket=<port>]",
        "",
        "Starts the Reprise language server (diagnostics, code lenses, hover, navigation, symbols, quick fixes).",
        "Transport: stdio unless --node-ipc or --socket=<port> is given. See docs/lsp.md for editor setup.",
      ].join("\n"),
    );
    return 0;
  }
  const unknown = args.filter((a) => a !== "--stdio" && a !== "--node-ipc" && !/^--socket=\d+$/.test(a) && !/^--clientProcessId=\d+$/.test(a));
  if (unknown.length) {
    console.error(`reprise lsp: unknown option '${unknown[0]}'\nUsage: reprise lsp [--stdio | --node-ipc | --socket=<port>]`);
    return 2;
  }
  // The bundled build loads several times faster; the plain build is the fallback (e.g. before build:bundle ran).
  // Its process entry loads only what this process's role needs (the supervisor skips the analyser).
  const { runProcess } = await import("@reprise/language-server/bundle/process").catch(() => import("@reprise/language-server"));
  // The transport flags are read from process.argv; without one, stdio. stdio and node-ipc run under the
  // supervisor, which restarts the server if it dies (docs/lsp.md, "Robustness").
  await runProcess();
  // Keep the command pending: the connection ends the process on `exit` (or when stdin closes).
  return new Promise<number>(() => {});
}
