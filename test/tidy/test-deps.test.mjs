// scripts/test-deps.mjs stays true: every test that starts PostgreSQL, nats-server, moto, Neovim or Chromium is
// listed in SUITES with that need (so `npm test` installs it first, or skips and names the suite), every Rust test
// starting a server carries the name its cargo filter matches, and the messages name the same install commands.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { DEPENDENCIES, SUITES, installCommand, needsOf, root } from "../../scripts/test-deps.mjs";

function files(dir, re, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "dist" || name === "target" || name.startsWith(".")) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, re, out);
    else if (re.test(name)) out.push(p);
  }
  return out;
}

/** What a node test source starting a program looks like, per dependency. */
const NODE_MARKERS = {
  postgresql: /\bstartPostgres\(/,
  "nats-server": /\bstartNats\(/,
  "redis-server": /\bstartRedis\(/,
  moto: /\bstartMoto\(/,
  nvim: /spawn(Sync)?\("nvim"/,
  chromium: /\bchromiumPath\(\)/,
};

/** The suite id of a test source: test/**.mjs as is, a workspace's test/X.test.ts as its compiled dist/test/X.test.js. */
function suiteId(file) {
  const rel = relative(root, file);
  return rel.endsWith(".ts") ? rel.replace(/(^|\/)test\//, "$1dist/test/").replace(/\.ts$/, ".js") : rel;
}

test("every node test file that starts a system program lists it in SUITES", () => {
  const sources = [...files(join(root, "test"), /\.test\.mjs$/), ...files(root, /\.test\.ts$/)];
  const found = [];
  for (const file of sources) {
    const text = readFileSync(file, "utf8");
    for (const [dep, marker] of Object.entries(NODE_MARKERS)) {
      if (!marker.test(text)) continue;
      found.push(suiteId(file));
      assert.ok(needsOf(suiteId(file)).includes(dep), `${suiteId(file)} starts ${dep}: list it in SUITES of scripts/test-deps.mjs with needs ["${dep}"]`);
    }
  }
  assert.ok(found.includes("test/infra/pubsub-nats.test.mjs") && found.includes("webviews/dist/test/mermaid-parse.test.js"), `markers found nothing: ${found}`);
});

test("every Rust test that starts nats-server or moto is named for its cargo filter", () => {
  const markers = { "nats-server": [/NatsServer::start\(/, "nats_live"], moto: [/MotoServer::start(_\w+)?\(/, "s3_live"] };
  let checked = 0;
  for (const file of files(join(root, "runtime"), /\.rs$/)) {
    const text = readFileSync(file, "utf8");
    // Each function's body runs from its `fn name(` to the next one; good enough for test modules.
    const fns = [...text.matchAll(/\bfn (\w+)\s*[<(]/g)].map((m) => ({ name: m[1], at: m.index }));
    for (const [dep, [marker, filter]] of Object.entries(markers)) {
      for (const m of text.matchAll(new RegExp(marker.source, "g"))) {
        const fn = fns.filter((f) => f.at < m.index).pop();
        if (!fn || fn.name === "start" || fn.name === "start_unchecked" || fn.name === "start_tls" || fn.name === "spawn") continue; // testutil.rs itself
        checked++;
        assert.ok(fn.name.includes(filter), `${relative(root, file)}: ${fn.name} starts ${dep}; name it *${filter}* so cargo:${filter} covers it`);
        assert.deepEqual(needsOf(`cargo:${filter}`), [dep]);
      }
    }
  }
  assert.ok(checked >= 7, `expected the NATS and S3 cargo tests, checked ${checked}`);
});

test("SUITES and DEPENDENCIES are consistent, and the fixtures name the same install commands", () => {
  for (const { suite, needs } of SUITES) {
    for (const n of needs) assert.ok(DEPENDENCIES[n], `${suite} needs unknown ${n}`);
    if (suite.startsWith("cargo:")) continue;
    const source = suite.startsWith("webviews/dist/") ? suite.replace("/dist/", "/").replace(/\.js$/, ".ts") : suite;
    assert.ok(existsSync(join(root, source)), `SUITES lists ${suite}, which does not exist`);
  }
  for (const [name, dep] of Object.entries(DEPENDENCIES)) {
    assert.ok(existsSync(join(root, dep.script)), `${name}: ${dep.script} does not exist`);
    assert.equal(typeof dep.present(), "boolean");
  }
  const testutil = readFileSync(join(root, "runtime", "infra", "src", "testutil.rs"), "utf8");
  for (const n of ["nats-server", "moto"]) assert.ok(testutil.includes(`${n} is not installed (install: ${installCommand(n)})`), `testutil.rs names ${installCommand(n)} for ${n}`);
});
