/**
 * Runs every `*.test.js` of one folder with mocha inside the extension host. Each suite folder's `index.ts` is
 * an "extensionTestsPath" module (test/e2e/run.mjs passes it in the workbench URL) with the same contract as
 * @vscode/test-electron: run() rejects when a test failed. The summary line is read back by the harness.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

export function runFolder(dir: string): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 90_000 });
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".test.js")).sort()) mocha.addFile(path.join(dir, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`mocha: ${runner.stats?.passes ?? 0} passed, ${runner.stats?.failures ?? 0} failed`);
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}
