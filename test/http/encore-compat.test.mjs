// Encore's run semantics for apps that run unmodified (issue 18): the working directory is the app root, secrets
// in local development warn and read as "" (and come from .secrets.local.cue), elsewhere a missing secret stops
// start-up. One fixture app (test/http/fixtures/encore-compat), started as few times as the checks allow.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fixture, rawRequest, root, startApp } from "./helpers.mjs";

const { parseLocalSecrets } = await import(join(root, "runtime/sdk/dist/src/config/secrets.js"));

test("local development: app root is the working directory, unset secrets warn once and read as \"\", .secrets.local.cue is read", async (t) => {
  const app = await startApp(t, fixture("encore-compat"), { cwd: tmpdir() });
  const info = await (await fetch(app.url + "/info")).json();
  assert.deepEqual(info, { banner: "read relative to the app root", unset: "", cue: 'from-cue "quoted"', quoted: "q" });
  assert.match(app.stderr, /warning: secrets not defined: UnsetKey\n/);
  assert.match(app.stderr, /UnsetKey \(used by "compat"\): set REPRISE_SECRET_UnsetKey=<value> in the environment, or UnsetKey: "<value>" in .*\.secrets\.local\.cue/);
  assert.equal(app.stderr.match(/warning: secrets not defined/g).length, 1);

  // HEAD on a GET endpoint: GET's status and headers, no body (RFC 9110), over HTTP/1.1 on the wire.
  const getLength = (await fetch(app.url + "/info")).headers.get("content-length");
  const { host } = new URL(app.url);
  const head = await rawRequest(app.url, `HEAD /info HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(head, new RegExp(`\r\ncontent-length: ${getLength}\r\n`, "i"));
  assert.ok(head.endsWith("\r\n\r\n"), `no body after the head: ${JSON.stringify(head)}`);
  const post = await fetch(app.url + "/info", { method: "DELETE" });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get("allow"), "GET, HEAD");

  // CORS in local development, as `encore run`: any origin, with or without credentials; preflight answered first.
  const pre = await fetch(app.url + "/info", {
    method: "OPTIONS",
    headers: { origin: "https://anywhere.example", "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
  });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("access-control-allow-origin"), "https://anywhere.example");
  assert.equal(pre.headers.get("access-control-allow-methods"), "GET");
  assert.equal(pre.headers.get("access-control-allow-credentials"), "true");
  assert.match(pre.headers.get("access-control-allow-headers"), /^x-extra,accept,authorization,/);
  assert.equal((await pre.text()).length, 0);
  const simple = await fetch(app.url + "/info", { headers: { origin: "https://anywhere.example", cookie: "a=b" } });
  assert.equal(simple.headers.get("access-control-allow-origin"), "https://anywhere.example");
  assert.match(simple.headers.get("access-control-expose-headers"), /^x-set,x-request-id,/);
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

test("middleware: requestMeta.pathParams decoded, next(req) honours the request it is given, response headers set/add/delete, status; CORS lists outside local development", async (t) => {
  const app = await startApp(t, fixture("encore-compat"), {
    env: { REPRISE_ENV: "production", REPRISE_SECRET_UnsetKey: "u", REPRISE_SECRET_CueKey: "c", REPRISE_SECRET_Quoted_Name: "q" },
  });
  const origin = async (o, headers = {}) => (await fetch(app.url + "/info", { headers: { origin: o, ...headers } })).headers.get("access-control-allow-origin");
  assert.equal(await origin("https://open.example"), "https://open.example");
  assert.equal(await origin("https://other.example"), null);
  assert.equal(await origin("https://open.example", { authorization: "Bearer x" }), null, "credentials: only the with-credentials list");
  assert.equal(await origin("https://app.trusted.example", { cookie: "s=1" }), "https://app.trusted.example");
  const pre = await fetch(app.url + "/guarded/items/1", { method: "OPTIONS", headers: { origin: "https://app.trusted.example", "access-control-request-headers": "cookie" } });
  assert.equal(pre.status, 200);
  assert.equal(pre.headers.get("access-control-allow-origin"), "https://app.trusted.example");

  const res = await fetch(app.url + "/guarded/items/42");
  const body = await res.json();
  assert.equal(res.status, 202, JSON.stringify(body));
  assert.deepEqual(body, {
    id: 42,
    kind: "number",
    mw: { seenParams: { id: 42 }, seenMethod: "GET", seenPath: "/guarded/items/42" },
    pathParams: { id: 42 },
  });
  assert.equal(res.headers.get("x-set"), "one");
  assert.equal(res.headers.get("x-added"), "a, b");
  assert.equal(res.headers.get("x-gone"), null);
  assert.equal(res.headers.get("x-also-gone"), null);
  // The same path decoding without middleware.
  const plain = await fetch(app.url + "/plain/items/42");
  assert.deepEqual(await plain.json(), { id: 42, kind: "number", pathParams: { id: 42 } });
  assert.equal((await fetch(app.url + "/guarded/items/x")).status, 400);
  // Raw endpoints: middleware that targets them runs with rawRequest set; path params are the decoded text.
  const raw = await fetch(app.url + "/guarded/raw/a%20b");
  assert.equal(raw.status, 200);
  assert.deepEqual(await raw.json(), { pathParams: { name: "a b" }, mw: {} });
  assert.equal(raw.headers.get("x-set"), null, "headers of HandlerResponse apply to typed endpoints only");

  // A streaming endpoint through the same middleware: the stream-only one wrote on the live stream, next(req)'s
  // replacement data reached the handler, the path param was decoded, and the stream closed normally.
  const session = await wsSession(t, app.url.replace("http:", "ws:") + "/guarded/ticks/2");
  const mw = { seenParams: { n: 2 }, seenMethod: "GET", seenPath: "/guarded/ticks/2" };
  assert.deepEqual(session, { got: [{ from: "middleware" }, { i: 0, mw }, { i: 1, mw }], code: 1000 });
});

// Node 20 has WebSocket behind a flag, so the client runs in a child; it reports what it got and the close code.
async function wsSession(t, url) {
  const client = `
    const ws = new WebSocket(process.argv[1]);
    const got = [];
    ws.onmessage = (m) => got.push(JSON.parse(m.data));
    ws.onclose = (e) => { console.log(JSON.stringify({ got, code: e.code })); process.exit(0); };
    ws.onerror = () => {};
    setTimeout(() => { console.log(JSON.stringify({ timeout: true, got })); process.exit(1); }, 10000);
  `;
  const child = spawn(process.execPath, ["--experimental-websocket", "-e", client, url], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => child.kill("SIGKILL"));
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  await new Promise((r) => child.once("exit", r));
  return JSON.parse(out.trim());
}
