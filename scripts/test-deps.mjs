// What the test suites need beyond Node and a Rust toolchain, as data: DEPENDENCIES says how to tell whether a
// system dependency is present and which script under scripts/ci-deps.d/ installs it; SUITES says which suite needs
// which. scripts/test.mjs reads both: before a phase it installs what that phase's suites lack (Debian, root or
// passwordless sudo), and skips (or, under CI=true, fails) exactly the suites whose needs are still missing.
// The fixtures that start these programs (test/infra/fixtures/services.mjs, runtime/infra/src/testutil.rs) name
// the same install commands. test/tidy/test-deps.test.mjs checks that every suite starting one of them is listed.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(fileURLToPath(import.meta.url), "..", "..");

/** True when `name` is an executable file in a folder of $PATH. */
export function onPath(name, path = process.env.PATH ?? "") {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {}
  }
  return false;
}

/** Where scripts/ci-deps.d/s3.sh installs moto's server (`$REPRISE_MOTO_SERVER` wins). */
export function motoServerPath(env = process.env) {
  if (env.REPRISE_MOTO_SERVER) return env.REPRISE_MOTO_SERVER;
  const cache = env.XDG_CACHE_HOME || join(env.HOME ?? "", ".cache");
  return join(env.REPRISE_S3_VENV || join(cache, "reprise", "moto-venv"), "bin", "moto_server");
}

/** Debian's chromium, as webviews/test/browser.ts and test/e2e/run.mjs look for it (`$CHROMIUM` wins). */
export function chromiumPath(env = process.env) {
  for (const p of [env.CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"]) if (p && existsSync(p)) return p;
  return null;
}

/** The marker test/e2e/install.sh writes once code-server (the version pinned there) is fully installed. */
function codeServerMarker(env = process.env) {
  const pinned = /^CODE_SERVER_VERSION=(\S+)/m.exec(readFileSync(join(root, "test", "e2e", "install.sh"), "utf8"))?.[1];
  return join(env.VSCODE_E2E_HOME || join(root, ".vscode-e2e"), `.installed-code-server-${pinned}`);
}

/** Where scripts/ci-deps.d/vitest4.sh installs vitest 4 (`$REPRISE_VITEST4_DIR` wins); its node_modules/vitest. */
export function vitest4Dir(env = process.env) {
  const version = /^VITEST4_VERSION="(\S+)"/m.exec(readFileSync(join(root, "scripts", "ci-deps.d", "vitest4.sh"), "utf8"))?.[1];
  return env.REPRISE_VITEST4_DIR || join(env.XDG_CACHE_HOME || join(env.HOME ?? "", ".cache"), "reprise", `vitest-${version}`);
}

let venvChecked;
function pythonHasVenv() {
  // Debian's python3 has no ensurepip without the python3-venv package, so `python3 -m venv` would fail there.
  venvChecked ??= onPath("python3") && spawnSync("python3", ["-c", "import venv, ensurepip"], { stdio: "ignore" }).status === 0;
  return venvChecked;
}

/**
 * name → { present(): boolean, script: the scripts/ci-deps.d file (or other) that installs it,
 *          apt(): whether installing needs apt-get (so Debian and root or passwordless sudo), what: for messages }.
 * One script may install several dependencies (infra.sh: postgresql and nats-server); it runs once for all of them.
 */
export const DEPENDENCIES = {
  postgresql: {
    what: "PostgreSQL 15 (Debian postgresql: initdb, postgres)",
    present: () => existsSync("/usr/lib/postgresql/15/bin/initdb"),
    script: "scripts/ci-deps.d/infra.sh",
    apt: () => true,
  },
  "nats-server": {
    what: "nats-server (Debian nats-server, JetStream)",
    present: () => onPath("nats-server"),
    script: "scripts/ci-deps.d/infra.sh",
    apt: () => true,
  },
  "redis-server": {
    what: "redis-server (Debian redis-server)",
    present: () => onPath("redis-server"),
    script: "scripts/ci-deps.d/redis.sh",
    apt: () => true,
  },
  moto: {
    what: "moto_server (moto[server] from PyPI, in a virtualenv)",
    present: () => existsSync(motoServerPath()),
    script: "scripts/ci-deps.d/s3.sh",
    // pip into a venv needs no root; apt-get only when python3 or its venv module is missing.
    apt: () => !pythonHasVenv(),
  },
  nvim: {
    what: "nvim (Debian neovim)",
    present: () => onPath("nvim"),
    script: "scripts/ci-deps.d/neovim.sh",
    apt: () => true,
  },
  chromium: {
    what: "chromium (Debian chromium, driven by playwright-core)",
    present: () => chromiumPath() !== null,
    script: "scripts/ci-deps.d/chromium.sh",
    apt: () => true,
  },
  vitest4: {
    what: "vitest 4 (npm, into the user's cache folder; the repository's own vitest is 3)",
    present: () => existsSync(join(vitest4Dir(), "node_modules", "vitest", "package.json")),
    script: "scripts/ci-deps.d/vitest4.sh",
    apt: () => false,
  },
  "code-server": {
    what: "code-server (npm, into .vscode-e2e/, with Debian build tools)",
    present: () => existsSync(codeServerMarker()),
    script: "scripts/ci-deps.d/e2e.sh",
    apt: () => true,
  },
};

/**
 * Each suite that needs something from DEPENDENCIES. `suite` is what scripts/test.mjs runs and names:
 *   - a node test file, by its path from the repository root (compiled TypeScript tests by their dist/ path);
 *   - `cargo:<filter>`: the cargo tests whose names contain <filter> (test.mjs passes `--skip <filter>` when
 *     skipping them); the Rust helpers that start the programs live in runtime/infra/src/testutil.rs;
 *   - a phase's own command, by the file it runs (test/e2e/run.mjs).
 * Suites not listed need only Node, the built repository and cargo.
 */
export const SUITES = [
  { suite: "test/infra/sqldb-postgres.test.mjs", needs: ["postgresql"] },
  { suite: "test/infra/replicas.test.mjs", needs: ["postgresql", "nats-server"] },
  { suite: "test/build/deploy.test.mjs", needs: ["postgresql", "nats-server"] },
  { suite: "test/infra/pubsub-nats.test.mjs", needs: ["nats-server"] },
  { suite: "test/trace/nats-propagation.test.mjs", needs: ["nats-server"] },
  { suite: "test/infra/buckets-s3.test.mjs", needs: ["moto"] },
  { suite: "test/infra/cache-redis.test.mjs", needs: ["redis-server"] },
  { suite: "test/infra/admin-data-servers.test.mjs", needs: ["postgresql", "nats-server", "moto"] },
  { suite: "test/lsp/neovim.test.mjs", needs: ["nvim"] },
  { suite: "test/trace/viewer-browser.test.mjs", needs: ["chromium"] },
  { suite: "webviews/dist/test/mermaid-parse.test.js", needs: ["chromium"] },
  { suite: "webviews/dist/test/webview-pages.test.js", needs: ["chromium"] },
  { suite: "webviews/dist/test/dashboard-pages.test.js", needs: ["chromium"] },
  { suite: "test/dashboard/browser-dashboard.test.mjs", needs: ["chromium"] },
  { suite: "cargo:nats_live", needs: ["nats-server"] },
  { suite: "cargo:s3_live", needs: ["moto"] },
  { suite: "test/e2e/run.mjs", needs: ["chromium", "code-server"] },
  { suite: "test/testing/vitest4.test.mjs", needs: ["vitest4"] },
];

/** The command that installs `name`, for messages. */
export function installCommand(name) {
  return `bash ${DEPENDENCIES[name].script}`;
}

/** "nats-server is not installed (install: bash scripts/ci-deps.d/infra.sh)". */
export function notInstalled(name) {
  return `${name} is not installed (install: ${installCommand(name)})`;
}

export function needsOf(suite) {
  return SUITES.find((s) => s.suite === suite)?.needs ?? [];
}
