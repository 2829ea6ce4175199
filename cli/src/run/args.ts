/** Command-line options of `reprise run`. */

export interface RunArgs {
  appRoot: string | null;
  port: number;
  watch: boolean;
  inspect: { host: string; port: number } | null;
  /** Runtime config file (databases, pub/sub, buckets, secrets); see docs/runtime-config.md. */
  config: string | null;
  help: boolean;
}

import { UsageError } from "../usage.js";
// The one usage-error type, re-exported for the commands that import it from here.
export { UsageError };

export const RUN_USAGE = `Usage: reprise run [appRoot] [--port N] [--watch] [--inspect[=host:port]] [--config FILE]

Analyses the app, bundles its TypeScript and serves it on the Reprise runtime.
  appRoot            folder with reprise.app / encore.app (default: found from the current directory)
  --port N, -p N     port to listen on (default: $PORT or 4000; 0 picks a free port)
  --watch            re-analyse and reload on save, keeping the port (the old build serves until the new one is ready)
  --inspect[=h:p]    open the Node inspector (default 127.0.0.1:9229) for breakpoints in .ts files; with --watch
                     each build is a worker-thread target (VS Code attach and Chrome DevTools follow them)
  --config FILE      runtime config (default: $REPRISE_CONFIG, then reprise.config.json / infra.config.json;
                     none = embedded PGlite, in-process pub/sub, filesystem buckets)

Environment: PORT, REPRISE_ENV (config environment, default local), REPRISE_HOST (default 127.0.0.1),
REPRISE_REQUEST_TIMEOUT_MS (default 30000, 0 = none),
REPRISE_LOG_LEVEL (trace|debug|info|warn|error), REPRISE_CACHE_DIR (PGlite template cache, default ~/.cache/reprise),
REPRISE_INSPECT_REMOTE=1 (allow --inspect on a host that is not loopback), REPRISE_TIMINGS=1 (print start-up and reload phase times on stderr).`;

/** `localhost` or a loopback address (the inspector's host, as given on the command line). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

function parsePort(v: string | undefined, what: string): number {
  const n = Number(v);
  if (v === undefined || v === "" || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`${what}: expected a port number 0-65535, got ${JSON.stringify(v ?? "")}`);
  return n;
}

export function parseRunArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RunArgs {
  const out: RunArgs = { appRoot: null, port: env.PORT ? parsePort(env.PORT, "PORT") : 4000, watch: false, inspect: null, config: null, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--help" || a === "-h") out.help = true;
    else if (a === "--watch" || a === "-w") out.watch = true;
    else if (a === "--port" || a === "-p") out.port = parsePort(argv[++i], a);
    else if (a.startsWith("--port=")) out.port = parsePort(a.slice(7), "--port");
    else if (a === "--config" || a === "-c") {
      const v = argv[++i];
      if (!v) throw new UsageError(`${a}: expected a file name`);
      out.config = v;
    } else if (a.startsWith("--config=")) out.config = a.slice(9);
    else if (a === "--inspect") out.inspect = { host: "127.0.0.1", port: 9229 };
    else if (a.startsWith("--inspect=")) {
      const v = a.slice(10);
      const m = /^(?:(.+):)?(\d+)$/.exec(v);
      if (!m) throw new UsageError(`--inspect: expected [host:]port, got ${JSON.stringify(v)}`);
      out.inspect = { host: m[1] ?? "127.0.0.1", port: parsePort(m[2], "--inspect") };
      if (!isLoopbackHost(out.inspect.host) && env.REPRISE_INSPECT_REMOTE !== "1") {
        throw new UsageError(
          `--inspect: the inspector would listen on ${out.inspect.host}, not on loopback: anyone who reaches that port can run code in the app. ` +
            `Use 127.0.0.1 (the default), or set REPRISE_INSPECT_REMOTE=1 if only trusted machines can reach it (e.g. a container's published port).`,
        );
      }
    } else if (a.startsWith("-")) throw new UsageError(`unknown option ${a}`);
    else if (out.appRoot === null) out.appRoot = a;
    else throw new UsageError(`unexpected argument ${a}`);
  }
  return out;
}
