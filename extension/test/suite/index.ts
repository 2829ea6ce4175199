/**
 * Loaded by VS Code's extension host as the "extensionTestsPath" module (test/e2e/run.mjs passes it in the
 * workbench URL). Same contract as @vscode/test-electron: run() rejects when a test failed. The summary line is
 * read back by the harness through codeAutomationLog.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Mocha from "mocha";

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: "bdd", color: false, timeout: 90_000 });
  for (const f of fs.readdirSync(__dirname).filter((f) => f.endsWith(".test.js")).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      console.log(`mocha: ${runner.stats?.passes ?? 0} passed, ${runner.stats?.failures ?? 0} failed`);
      if (failures > 0) reject(new Error(`${failures} test(s) failed`));
      else resolve();
    });
  });
}
