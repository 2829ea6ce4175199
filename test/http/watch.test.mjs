// `reprise run --watch`: an edit is re-analysed and reloaded in a fresh worker while the listener (and port)
// stays; a broken edit keeps the previous build serving.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, startApp, until } from "./helpers.mjs";

test("watch mode reloads on save without dropping the port", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-watch-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(fixture("encore-app"), dir, { recursive: true });
  const app = await startApp(t, dir, { args: ["--watch"] });
  assert.deepEqual(await (await fetch(app.url + "/hello/a")).json(), { message: "Hello a!" });
  const file = join(dir, "hello", "hello.ts");
  const original = readFileSync(file, "utf8");
  writeFileSync(file, original.replace("`Hello ${name}!`", "`Howdy ${name}!`"));
  await until(async () => (await (await fetch(app.url + "/hello/a")).json()).message === "Howdy a!", { timeoutMs: 30_000, what: "the reload" });
  writeFileSync(file, original.replace("export const greet = api(", "export const greet = api(42, "));
  await until(() => /not reloading|reload failed/.test(app.stdout + app.stderr), { timeoutMs: 30_000, what: "the broken build to be reported" });
  assert.deepEqual(await (await fetch(app.url + "/hello/b")).json(), { message: "Howdy b!" }, "the previous build keeps serving");
});
