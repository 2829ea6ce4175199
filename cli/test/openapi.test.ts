/**
 * `reprise openapi` as a user runs it: the document validates against the OpenAPI 3.1 schema
 * (@seriousme/openapi-schema-validator), carries the parameters, bodies, responses, components and security the
 * app declares, and the exit codes match `check` (1 with printed diagnostics, 2 for usage/IO).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Validator } from "@seriousme/openapi-schema-validator";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const bin = join(repo, "cli", "bin", "reprise.mjs");

function reprise(args: string[], cwd = repo) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeApp(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "reprise-openapi-"));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), text);
  }
  return dir;
}

const APP: Record<string, string> = {
  "encore.app": '{ "id": "shop" }',
  "package.json": '{ "name": "shop", "version": "1.2.3" }',
  "auth/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("auth");\n',
  "auth/auth.ts": `import { Header, Gateway } from "encore.dev/api";
import { authHandler } from "encore.dev/auth";
interface AuthParams { authorization: Header<"Authorization"> }
interface AuthData { userID: string }
export const auth = authHandler<AuthParams, AuthData>(async (p) => ({ userID: p.authorization }));
export const gateway = new Gateway({ authHandler: auth });
`,
  "users/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("users");\n',
  "users/types.ts": `import { MinLen, IsEmail } from "encore.dev/validate";
/** A user. */
export interface User { id: number; name: string & MinLen<1>; email: string & IsEmail; address: Address }
export interface Address { city: string }
`,
  "users/api.ts": `import { api, Header, Query, HttpStatus } from "encore.dev/api";
import type { User } from "./types";

/**
 * Fetches a user.
 * Returns 404 when there is none.
 */
export const get = api({ expose: true, method: "GET", path: "/users/:id" }, async (p: { id: number; fields?: Query<string[]>; trace: Header<"X-Trace"> }): Promise<User> => {
  throw new Error(String(p));
});

/** Creates a user. */
export const create = api({ expose: true, auth: true, method: "POST", path: "/users" }, async (p: { name: string; email: string; dryRun?: Query<boolean, "dry_run"> }): Promise<{ status: HttpStatus; location: Header<"Location">; user: User }> => {
  throw new Error(String(p));
});

export const search = api({ expose: true, method: ["GET", "POST"], path: "/users/search" }, async (p: { q: string }): Promise<{ users: User[] }> => ({ users: [] }));

export const internal = api({ method: "GET", path: "/users/internal" }, async (): Promise<void> => {});

export const feed = api.streamOut<{ room: string; token: Query<string> }, { msg: string }>({ expose: true, path: "/users/feed/:room" }, async (handshake, stream) => {});

export const hook = api.raw({ expose: true, method: "POST", path: "/users/hooks/*rest" }, async (req, resp) => {});
`,
  "orders/encore.service.ts": 'import { Service } from "encore.dev/service";\nexport default new Service("orders");\n',
  "orders/api.ts": `import { api } from "encore.dev/api";
/** Not the users' User. */
interface User { handle: string }
export const owner = api({ expose: true, method: "GET", path: "/orders/:orderId/owner" }, async (p: { orderId: string }): Promise<{ owner: User }> => ({ owner: { handle: p.orderId } }));
`,
};

async function validate(doc: unknown): Promise<void> {
  const v = new Validator();
  const res = await v.validate(doc as Parameters<Validator["validate"]>[0]);
  assert.equal(res.valid, true, JSON.stringify(res.errors, null, 2));
  assert.equal(v.version, "3.1");
}

test("openapi: a generated document validates against the OpenAPI 3.1 schema and describes the exposed endpoints", async () => {
  const dir = writeApp(APP);
  try {
    const r = reprise(["openapi", dir]);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    await validate(doc);
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(doc.info, { title: "shop", version: "1.2.3" });
    assert.deepEqual(Object.keys(doc.paths).sort(), ["/orders/{orderId}/owner", "/users", "/users/feed/{room}", "/users/hooks/{rest}", "/users/search", "/users/{id}"]);

    const get = doc.paths["/users/{id}"].get;
    assert.equal(get.operationId, "users.get");
    assert.equal(get.summary, "Fetches a user.");
    assert.equal(get.description, "Fetches a user.\nReturns 404 when there is none.");
    assert.deepEqual(get.parameters, [
      { name: "id", in: "path", required: true, schema: { type: "integer" } },
      { name: "fields", in: "query", required: false, schema: { type: "array", items: { type: "string" } }, explode: true },
      { name: "X-Trace", in: "header", required: true, schema: { type: "string" } },
    ]);
    assert.equal(get.requestBody, undefined);
    assert.equal(get.security, undefined);
    const user = get.responses["200"].content["application/json"].schema;
    assert.equal(user.description, "A user.");
    assert.deepEqual(user.properties.address, { $ref: "#/components/schemas/Address" });
    assert.deepEqual(doc.components.schemas.Address, { type: "object", properties: { city: { type: "string" } }, required: ["city"] });
    assert.deepEqual(get.responses.default.content["application/json"].schema, { $ref: "#/components/schemas/APIError" });

    const create = doc.paths["/users"].post;
    assert.deepEqual(create.security, [{ "auth.authorization": [] }]);
    assert.deepEqual(doc.components.securitySchemes, { "auth.authorization": { type: "http", scheme: "bearer", description: "Authorization header read by the auth handler" } });
    assert.deepEqual(create.parameters, [{ name: "dry_run", in: "query", required: false, schema: { type: "boolean" } }]);
    assert.deepEqual(create.requestBody, {
      required: true,
      content: { "application/json": { schema: { type: "object", properties: { name: { type: "string" }, email: { type: "string" } }, required: ["name", "email"] } } },
    });
    const created = create.responses["200"];
    assert.match(created.description, /may set another status code/);
    assert.deepEqual(created.headers, { Location: { schema: { type: "string" }, required: true } });
    assert.deepEqual(Object.keys(created.content["application/json"].schema.properties), ["user"]);

    // Two methods: two operations with distinct ids; GET reads the plain field from the query, POST from the body.
    const search = doc.paths["/users/search"];
    assert.equal(search.get.operationId, "users.search.get");
    assert.equal(search.post.operationId, "users.search.post");
    assert.deepEqual(search.get.parameters, [{ name: "q", in: "query", required: true, schema: { type: "string" } }]);
    assert.ok(search.post.requestBody);

    // Private endpoints are left out; two different `User` types get distinct component names (services in
    // name order: orders' User comes first).
    assert.equal(JSON.stringify(doc).includes("users.internal"), false);
    assert.deepEqual(doc.paths["/orders/{orderId}/owner"].get.responses["200"].content["application/json"].schema.properties.owner, { $ref: "#/components/schemas/User" });
    assert.deepEqual(doc.paths["/users/search"].post.responses["200"].content["application/json"].schema.properties.users.items, { $ref: "#/components/schemas/User_2" });
    assert.equal(doc.components.schemas.User.description, "Not the users' User.");
    assert.equal(doc.components.schemas.User_2.description, "A user.");
    assert.deepEqual(doc.tags.map((t: { name: string }) => t.name), ["orders", "users"]);

    // Streaming: described by the handshake (parameters) and the outbound message; raw: path params only.
    const feed = doc.paths["/users/feed/{room}"].get;
    assert.equal(feed["x-reprise-streaming"], "out");
    assert.deepEqual(feed.parameters, [
      { name: "room", in: "path", required: true, schema: { type: "string" } },
      { name: "token", in: "query", required: true, schema: { type: "string" } },
    ]);
    assert.deepEqual(feed.responses["200"].content["application/json"].schema, { type: "object", properties: { msg: { type: "string" } }, required: ["msg"] });
    const hook = doc.paths["/users/hooks/{rest}"].post;
    assert.equal(hook["x-reprise-raw"], true);
    assert.deepEqual(hook.parameters, [{ name: "rest", in: "path", required: true, schema: { type: "string" } }]);
    assert.deepEqual(Object.keys(hook.responses), ["default"]);

    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    for (const name of refs) assert.ok(name in doc.components.schemas, `dangling $ref ${name}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("openapi: --out writes the file; the example apps produce valid documents", async () => {
  const out = join(mkdtempSync(join(tmpdir(), "reprise-openapi-out-")), "api.json");
  try {
    for (const example of ["examples/encore-blog", "examples/reprise-shop", "examples/hello"]) {
      const r = reprise(["openapi", example, "--out", out]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "");
      const doc = JSON.parse(readFileSync(out, "utf8"));
      await validate(doc);
      assert.ok(Object.keys(doc.paths).length > 0, `${example} has exposed endpoints`);
    }
  } finally {
    rmSync(dirname(out), { recursive: true, force: true });
  }
});

test("openapi: error diagnostics are printed and exit 1; usage and IO problems exit 2", () => {
  const dir = writeApp({ ...APP, "users/bad.ts": 'import { api } from "encore.dev/api";\nexport const bad = api({ expose: true, method: "POST", path: "/bad" }, async (p: { pair: [string, number] }) => {});\n' });
  try {
    const r = reprise(["openapi", dir]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /error RP3001: Tuple types are not supported/);
    assert.equal(reprise(["openapi", "--nope"]).code, 2);
    const none = mkdtempSync(join(tmpdir(), "reprise-openapi-none-"));
    const n = reprise(["openapi", none]);
    assert.equal(n.code, 2);
    assert.match(n.stderr, /no encore\.app or reprise\.app found/);
    rmSync(none, { recursive: true, force: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
