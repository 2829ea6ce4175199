/** The extension-host suite of an untrusted workspace (test/e2e/run.mjs, phase "restricted"). */
import { runFolder } from "../mocha-run";

export function run(): Promise<void> {
  return runFolder(__dirname);
}
