/** The extension-host suite of a trusted workspace (test/e2e/run.mjs, phase "tests"). */
import { runFolder } from "../mocha-run";

export function run(): Promise<void> {
  return runFolder(__dirname);
}
