// `reprise gen client`: the TypeScript client of every fixture app without error diagnostics typechecks with
// `tsc --strict` (browser lib and Node's types), one generated file is compared with its snapshot
// (UPDATE_SNAPSHOTS=1 rewrites it), and the generated client of the catalog fixture talks to that app under
// `reprise run`: success with Dates revived, a validation error, an auth error, not found, a raw endpoint and
// three kinds of streams, a kebab-case service name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { WebSocket } from "undici";
import { root, startApp } from "../http/helpers.mjs";

const cli = join(root, "cli", "bin", "reprise.mjs");
const catalog = join(root, "test", "client", "fixtures", "catalog");
const snapshot = join(root, "test", "client", "catalog.client.ts.snap");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");

function reprise(args) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
}

/** Every app folder (reprise.app / encore.app) under test/ and examples/, outside node_modules and .reprise. */
function fixtureApps() {
  const out = [];
  const walk = (dir) => {
    const names = readdirSync(dir, { withFileTypes: true });
    if (names.some((d) => d.isFile() && (d.name === "reprise.app" || d.name === "encore.app"))) out.push(dir);
    for (const d of names) if (d.isDirectory() && d.name !== "node_modules" && !d.name.startsWith(".")) walk(join(dir, d.name));
  };
  walk(join(root, "test"));
  walk(join(root, "examples"));
  return out.sort();
}

test("the client of every fixture app typechecks with tsc --strict (DOM lib, and Node's types)", async () => {
  const { analyze } = await import("@reprise/analyzer");
  const { loadAppFiles } = await import("@reprise/analyzer/node");
  const { generateTypeScriptClient } = await import("../../cli/dist/src/client/typescript.js");
  const dir = mkdtempSync(join(tmpdir(), "reprise-clients-"));
  try {
    const files = [];
    for (const app of fixtureApps()) {
      const model = analyze(loadAppFiles(app));
      if (model.diagnostics.some((d) => d.severity === "error")) continue;
      const file = join(dir, relative(root, app).replace(/[^A-Za-z0-9]+/g, "_") + ".ts");
      writeFileSync(file, generateTypeScriptClient(model));
      files.push(file);
    }
    assert.ok(files.length >= 10, `expected at least 10 clean fixture apps, found ${files.length}`);
    const common = ["--strict", "--noEmit", "--skipLibCheck", "--target", "es2022", "--noUnusedLocals", "--isolatedModules"];
    const browser = spawnSync(process.execPath, [tsc, ...common, "--module", "esnext", "--moduleResolution", "bundler", "--lib", "es2022,dom", "--types", "", ...files], { encoding: "utf8", cwd: root });
    // `--types ""` is refused by some tsc versions; a tsconfig says the same thing.
    let out = browser.stdout + browser.stderr;
    if (/TS6044/.test(out)) {
      writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: true, target: "es2022", noUnusedLocals: true, isolatedModules: true, module: "esnext", moduleResolution: "bundler", lib: ["es2022", "dom"], types: [] }, files }));
      const r = spawnSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { encoding: "utf8", cwd: root });
      out = r.stdout + r.stderr;
      assert.equal(r.status, 0, `browser typecheck failed:\n${out}`);
    } else assert.equal(browser.status, 0, `browser typecheck failed:\n${out}`);
    const node = spawnSync(process.execPath, [tsc, ...common, "--module", "nodenext", "--lib", "es2022", "--types", "node", ...files], { encoding: "utf8", cwd: root });
    assert.equal(node.status, 0, `Node typecheck failed:\n${node.stdout}${node.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("snapshot of the catalog app's client; kebab-case service names become identifiers", () => {
  const r = reprise(["gen", "client", catalog, "--base-url", "https://api.example.com"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /export const BASE_URL = "https:\/\/api\.example\.com";/);
  assert.match(r.stdout, /export namespace user_profiles \{/);
  assert.match(r.stdout, /readonly user_profiles: user_profiles\.ServiceClient;/);
  if (process.env.UPDATE_SNAPSHOTS === "1" || !existsSync(snapshot)) {
    writeFileSync(snapshot, r.stdout);
    if (process.env.UPDATE_SNAPSHOTS !== "1") assert.fail(`wrote new snapshot ${snapshot}; review it and rerun`);
  }
  assert.equal(r.stdout, readFileSync(snapshot, "utf8"), "the generated client differs from its snapshot; rerun with UPDATE_SNAPSHOTS=1 and review the diff");
});

test("gen client: usage errors exit 2, apps with errors exit 1, --lang openapi is the OpenAPI document", () => {
  assert.equal(reprise(["gen", "client", catalog, "--lang", "python"]).status, 2);
  assert.equal(reprise(["gen", "server", catalog]).status, 2);
  assert.equal(reprise(["gen", "client", catalog, "--base-url", "not a url"]).status, 2);
  const openapi = reprise(["gen", "client", catalog, "--lang", "openapi"]);
  assert.equal(openapi.status, 0, openapi.stderr);
  assert.equal(openapi.stdout, reprise(["openapi", catalog]).stdout);
  const broken = mkdtempSync(join(tmpdir(), "reprise-client-broken-"));
  try {
    writeFileSync(join(broken, "reprise.app"), '{ "id": "broken" }');
    writeFileSync(join(broken, "api.ts"), 'import { api } from "reprise/api";\nexport const a = api({ path: "/a", expose: true, method: "GET" }, async (p: { id: number }) => {});\nexport const b = api({ path: "/a", expose: true, method: "GET" }, async () => {});\n');
    const r = reprise(["gen", "client", broken]);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /error/);
  } finally {
    rmSync(broken, { recursive: true, force: true });
  }
});

test("the generated client against the running catalog app", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "reprise-client-run-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const gen = reprise(["gen", "client", catalog, "--out", join(dir, "client.ts")]);
  assert.equal(gen.status, 0, gen.stderr);
  // The client is plain TypeScript: strip its types (esbuild) and load it as an ES module.
  const { transformSync } = await import("esbuild");
  const js = transformSync(readFileSync(join(dir, "client.ts"), "utf8"), { loader: "ts", format: "esm", target: "node20" }).code;
  writeFileSync(join(dir, "client.mjs"), js);
  const { Client, APIError } = await import(pathToFileURL(join(dir, "client.mjs")).href);
  const app = await startApp(t, catalog);
  const client = new Client(app.url, { WebSocket });
  const authed = new Client(app.url, { WebSocket, auth: { authorization: "Bearer good" } });

  await t.test("success: body and header placed, Dates round-trip, nullable and optional kept", async () => {
    const createdAt = new Date("2024-05-06T07:08:09.000Z");
    const r = await client.user_profiles.createProfile({ name: "Ada", visibility: "friends", createdAt, requestId: "req-7" });
    assert.equal(r.requestId, "req-7");
    assert.equal(r.profile.name, "Ada");
    assert.ok(r.profile.createdAt instanceof Date, "createdAt is revived as a Date");
    assert.equal(r.profile.createdAt.getTime(), createdAt.getTime());
    assert.equal(r.profile.lastSeen, null);
    const got = await client.user_profiles.getProfile({ id: r.profile.id });
    assert.ok(got.createdAt instanceof Date);
    const list = await client.user_profiles.listProfiles({ visibility: ["friends", "public"], limit: 5 });
    assert.equal(list.profiles.length, 1);
    assert.ok(list.profiles[0].createdAt instanceof Date);
    assert.equal((await client.user_profiles.listProfiles({ visibility: ["private"] })).profiles.length, 0);
  });

  await t.test("recursive generic types, unions and maps of Dates round-trip", async () => {
    const shelf = {
      tree: { value: "root", children: [{ value: "leaf", children: [] }] },
      pages: { items: [{ value: 1, children: [{ value: 2, children: [] }] }], next: null },
      shapes: [{ kind: "circle", radius: 2 }, { kind: "square", side: 3 }],
      labels: { a: new Date("2020-01-01T00:00:00.000Z") },
      stamped: { at: new Date("2021-02-03T04:05:06.000Z"), by: null },
    };
    const back = await client.library.echoShelf(shelf);
    assert.deepEqual(back, shelf);
    assert.ok(back.labels.a instanceof Date && back.stamped.at instanceof Date);
  });

  await t.test("validation error: a typed APIError with code invalid_argument", async () => {
    await assert.rejects(client.user_profiles.createProfile({ name: "A", visibility: "public", createdAt: new Date() }), (e) => {
      assert.ok(e instanceof APIError);
      assert.equal(e.code, "invalid_argument");
      assert.equal(e.status, 400);
      assert.match(e.message, /name/);
      return true;
    });
  });

  await t.test("auth: the header the auth handler reads; unauthenticated without it", async () => {
    assert.deepEqual(await authed.user_profiles.myProfile(), { userID: "u1" });
    const byQuery = new Client(app.url, { auth: async () => ({ apiKey: "k1" }) });
    assert.deepEqual(await byQuery.user_profiles.myProfile(), { userID: "u1" });
    await assert.rejects(client.user_profiles.myProfile(), (e) => e instanceof APIError && e.code === "unauthenticated" && e.status === 401);
    const bad = new Client(app.url, { auth: { authorization: "Bearer nope" } });
    await assert.rejects(bad.user_profiles.myProfile(), (e) => e instanceof APIError && e.code === "unauthenticated" && /bad token/.test(e.message));
  });

  await t.test("not found: the handler's APIError", async () => {
    await assert.rejects(client.user_profiles.getProfile({ id: 999 }), (e) => e instanceof APIError && e.code === "not_found" && e.status === 404 && /999/.test(e.message));
  });

  await t.test("raw endpoint returns the Response", async () => {
    const resp = await client.library.download({ name: "a b.txt" });
    assert.equal(resp.status, 200);
    assert.equal(await resp.text(), "file /download/a%20b.txt");
  });

  await t.test("streams: out (Dates revived), in/out, in", async () => {
    const out = await client.library.countdown({ upTo: 3, from: new Date("2020-01-01T00:00:00.000Z") });
    const got = [];
    for await (const m of out) got.push(m);
    assert.deepEqual(got.map((m) => m.n), [3, 2, 1]);
    assert.ok(got[0].at instanceof Date);
    assert.equal(got[0].at.toISOString(), "2020-01-01T00:00:03.000Z");

    const chat = await client.library.chat();
    chat.send({ text: "hi" });
    assert.deepEqual(await chat.recv(), { echo: "HI" });
    chat.send({ text: "bye" });
    const rest = [];
    for await (const m of chat) rest.push(m);
    assert.deepEqual(rest, []);

    const total = await client.library.total({ label: "sum" });
    for (const n of [1, 2, 39]) total.send({ n });
    total.send({ n: 0, done: true });
    assert.deepEqual(await total.response(), { label: "sum", sum: 42 });

    // A refused handshake (the path parameter is not a number) rejects with an APIError.
    await assert.rejects(client.library.countdown({ upTo: "x", from: new Date() }), (e) => e instanceof APIError);
  });
});
