// Encore's run semantics for apps that run unmodified (issue 18): the working directory is the app root, secrets
// in local development warn and read as "" (and come from .secrets.local.cue), elsewhere a missing secret stops
// start-up. One fixture app (test/http/fixtures/encore-compat), started as few times as the checks allow.
import { test } from "node:test";
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, root, startApp } from "./helpers.mjs";

const { parseLocalSecrets } = await import(join(root, "runtime/sdk/dist/src/config/secrets.js"));

test("local development: app root is the working directory, unset secrets warn once and read as \"\", .secrets.local.cue is read", async (t) => {
  const app = await startApp(t, fixture("encore-compat"), { cwd: tmpdir() });
  const info = await (await fetch(app.url + "/info")).json();
  assert.deepEqual(info, { banner: "read relative to the app root", unset: "", cue: 'from-cue "quoted"', quoted: "q" });
  assert.match(app.stderr, /warning: secrets not defined: UnsetKey\n/);
  assert.match(app.stderr, /UnsetKey \(used by "compat"\): set REPRISE_SECRET_UnsetKey=<value> in the environment, or UnsetKey: "<value>" in .*\.secrets\.local\.cue/);
  assert.equal(app.stderr.match(/warning: secrets not defined/g).length, 1);
});

test("outside local development a missing secret stops start-up, naming every one; .secrets.local.cue is not read", async (t) => {
  await assert.rejects(startApp(t, fixture("encore-compat"), { env: { REPRISE_ENV: "production" } }), (e) => {
    assert.match(e.message, /exited with 1/);
    assert.match(e.message, /RP_SECRET_MISSING: secrets not defined in environment "production": CueKey, Quoted_Name, UnsetKey/);
    return true;
  });
});

test(".secrets.local.cue: the flat form is read, anything else is an error naming the line", () => {
  const m = parseLocalSecrets('// c\nA: "x" // trailing\n"B-c": "\\u0041\\n",\n\nA: "x"\n', "/app/.secrets.local.cue");
  assert.deepEqual([...m], [["A", "x"], ["B-c", "A\n"]]);
  for (const [text, line] of [
    ["A: 1\n", 1],
    ['A: "x"\nB: {\n  C: "y"\n}\n', 2],
    ['A: """\n  x\n  """\n', 1],
    ['A: #"raw"#\n', 1],
    ['A: "x"\nA: "y"\n', 2],
    ['A: "\\q"\n', 1],
  ]) {
    assert.throws(() => parseLocalSecrets(text, "/app/.secrets.local.cue"), (e) => {
      assert.equal(e.name, "InfraError");
      assert.match(e.message, new RegExp(`^RP_SECRETS_FILE: /app/\\.secrets\\.local\\.cue:${line}: `));
      return true;
    });
  }
});
