#!/usr/bin/env node
// Builds the Rust runtime addon from source (no prebuilt downloads) and puts it where the SDK's loader looks:
// native/reprise.linux-x64-gnu.node (platform and arch follow the running Node).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const sdk = join(dirname(fileURLToPath(import.meta.url)), "..");
const root = join(sdk, "..", "..");
const profile = process.env.REPRISE_NATIVE_PROFILE === "debug" ? "debug" : "release";
const args = ["build", "-p", "reprise-runtime", ...(profile === "release" ? ["--release"] : [])];
const r = spawnSync("cargo", args, { cwd: root, stdio: "inherit" });
if (r.error) {
  console.error(`build:native: could not run cargo (${r.error.message}). Install Rust (https://rustup.rs) and run npm install again.`);
  process.exit(1);
}
if (r.status !== 0) process.exit(r.status ?? 1);

const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const libName = process.platform === "darwin" ? "libreprise_runtime.dylib" : process.platform === "win32" ? "reprise_runtime.dll" : "libreprise_runtime.so";
const built = join(target, profile, libName);
if (!existsSync(built)) {
  console.error(`build:native: cargo succeeded but ${built} is missing`);
  process.exit(1);
}
const abi = process.platform === "linux" ? "-gnu" : "";
const out = join(sdk, "native", `reprise.${process.platform}-${process.arch}${abi}.node`);
mkdirSync(dirname(out), { recursive: true });
copyFileSync(built, out);
console.log(`build:native: ${out}`);
