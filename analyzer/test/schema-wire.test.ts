/**
 * Wire placement (x-reprise-source / x-reprise-name per top-level field, by role and HTTP method), SDK marker
 * recognition (only from encore.dev/* or reprise/*, also renamed or through namespace imports), validation rules
 * and cross-file type resolution.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCase, type Case } from "./schema-helpers.js";

const API = 'import { Header, Query, Cookie, HttpStatus } from "encore.dev/api";\nimport { Min, Max, MinLen, MaxLen, MatchesRegexp, StartsWith, EndsWith, IsEmail, IsURL } from "encore.dev/validate";\n';

const cases: Case[] = [
  {
    name: "GET: plain fields go to the query, path params to the path (number → integer)",
    src: API,
    root: "{ id: number; slug: string; flag: boolean; page?: number; tags: string[] }",
    ctx: { methods: ["GET"], pathParams: ["id", "slug", "flag"] },
    schema: {
      type: "object",
      properties: {
        id: { type: "integer", "x-reprise-source": "path" },
        slug: { type: "string", "x-reprise-source": "path" },
        flag: { type: "boolean", "x-reprise-source": "path" },
        page: { type: "number", "x-reprise-source": "query" },
        tags: { type: "array", items: { type: "string" }, "x-reprise-source": "query" },
      },
      required: ["id", "slug", "flag", "tags"],
    },
  },
  {
    name: "POST: plain fields go to the body; DELETE/HEAD/OPTIONS/TRACE to the query",
    src: API,
    root: "{ id: string; data: { x: number } }",
    ctx: { methods: ["POST"], pathParams: ["id"] },
    schema: {
      type: "object",
      properties: { id: { type: "string", "x-reprise-source": "path" }, data: { type: "object", properties: { x: { type: "number" } }, required: ["x"], "x-reprise-source": "body" } },
      required: ["id", "data"],
    },
  },
  {
    name: "GET + POST on one endpoint: plain fields are marked body",
    root: "{ q: string }",
    ctx: { methods: ["GET", "POST"], pathParams: [] },
    schema: { type: "object", properties: { q: { type: "string", "x-reprise-source": "body" } }, required: ["q"] },
  },
  {
    name: "method \"*\" counts as a body method",
    root: "{ q: string }",
    ctx: { methods: ["*"], pathParams: [] },
    schema: { type: "object", properties: { q: { type: "string", "x-reprise-source": "body" } }, required: ["q"] },
  },
  {
    name: "Header, Query and Cookie in their four forms",
    src: API,
    root: '{ a: Header; b: Header<"X-B">; c: Header<number>; d: Header<boolean, "X-D">; e: Query; f?: Query<"page_size">; g: Query<string[]>; h: Query<number, "lim">; i: Cookie<"session">; j?: Cookie<string, "sid"> }',
    ctx: { methods: ["POST"], pathParams: [] },
    schema: {
      type: "object",
      properties: {
        a: { type: "string", "x-reprise-source": "header" },
        b: { type: "string", "x-reprise-source": "header", "x-reprise-name": "X-B" },
        c: { type: "number", "x-reprise-source": "header" },
        d: { type: "boolean", "x-reprise-source": "header", "x-reprise-name": "X-D" },
        e: { type: "string", "x-reprise-source": "query" },
        f: { type: "string", "x-reprise-source": "query", "x-reprise-name": "page_size" },
        g: { type: "array", items: { type: "string" }, "x-reprise-source": "query" },
        h: { type: "number", "x-reprise-source": "query", "x-reprise-name": "lim" },
        i: { type: "string", "x-reprise-source": "cookie", "x-reprise-name": "session" },
        j: { type: "string", "x-reprise-source": "cookie", "x-reprise-name": "sid" },
      },
      required: ["a", "b", "c", "d", "e", "g", "h", "i"],
    },
  },
  {
    name: "markers from reprise/api, renamed and namespace imports count",
    src: 'import { Header as H } from "reprise/api";\nimport * as api from "encore.dev/api";\nimport type { Query } from "reprise/api";',
    root: '{ a: H<"X-A">; b: api.Header<"X-B">; c: Query<number> }',
    ctx: { methods: ["POST"], pathParams: [] },
    schema: {
      type: "object",
      properties: {
        a: { type: "string", "x-reprise-source": "header", "x-reprise-name": "X-A" },
        b: { type: "string", "x-reprise-source": "header", "x-reprise-name": "X-B" },
        c: { type: "number", "x-reprise-source": "query" },
      },
      required: ["a", "b", "c"],
    },
  },
  {
    name: "markers re-exported through an app file still count",
    files: { "shared/wire.ts": 'export { Header } from "encore.dev/api";\nexport * from "reprise/validate";' },
    src: 'import { Header, MinLen } from "./shared/wire";',
    root: '{ a: Header<string & MinLen<2>, "X-A"> }',
    ctx: { methods: ["POST"], pathParams: [] },
    schema: { type: "object", properties: { a: { type: "string", minLength: 2, "x-reprise-source": "header", "x-reprise-name": "X-A" } }, required: ["a"] },
  },
  {
    name: "a Header type that is not the SDK's is an ordinary type",
    src: "interface Header<T> { value: T }",
    root: "{ h: Header<string> }",
    ctx: { methods: ["POST"], pathParams: [] },
    schema: {
      type: "object",
      properties: { h: { $ref: "#/$defs/Header_string", "x-reprise-source": "body" } },
      required: ["h"],
      $defs: { Header_string: { type: "object", properties: { value: { type: "string" } }, required: ["value"] } },
    },
  },
  {
    name: "markers in nested objects have no effect (the value stays in the body)",
    src: API,
    root: '{ inner: { h: Header<"X-H"> } }',
    ctx: { methods: ["POST"], pathParams: [] },
    schema: { type: "object", properties: { inner: { type: "object", properties: { h: { type: "string" } }, required: ["h"], "x-reprise-source": "body" } }, required: ["inner"] },
  },
  {
    name: "response: HttpStatus, Header and Cookie fields; others are body",
    src: API,
    root: '{ status: HttpStatus; loc: Header<"Location">; c?: Cookie<"sid">; data: string }',
    role: "response",
    schema: {
      type: "object",
      properties: {
        status: { type: "integer", "x-reprise-source": "httpStatus" },
        loc: { type: "string", "x-reprise-source": "header", "x-reprise-name": "Location" },
        c: { type: "string", "x-reprise-source": "cookie", "x-reprise-name": "sid" },
        data: { type: "string", "x-reprise-source": "body" },
      },
      required: ["loc", "data"],
    },
  },
  {
    name: "pub/sub message: Attribute fields are marked, others are plain",
    src: 'import { Attribute } from "encore.dev/pubsub";',
    root: "{ userId: Attribute<string>; n: number }",
    role: "message",
    schema: { type: "object", properties: { userId: { type: "string", "x-reprise-source": "attribute" }, n: { type: "number" } }, required: ["userId", "n"] },
  },
  {
    name: "auth params: Header/Query/Cookie fields; auth data: plain JSON",
    src: API,
    root: '{ authorization: Header<"Authorization">; key?: Query<"api_key"> }',
    role: "authParams",
    schema: {
      type: "object",
      properties: { authorization: { type: "string", "x-reprise-source": "header", "x-reprise-name": "Authorization" }, key: { type: "string", "x-reprise-source": "query", "x-reprise-name": "api_key" } },
      required: ["authorization"],
    },
  },
  {
    name: "auth data has no wire markers",
    root: "{ userID: string; roles: string[] }",
    role: "authData",
    schema: { type: "object", properties: { userID: { type: "string" }, roles: { type: "array", items: { type: "string" } } }, required: ["userID", "roles"] },
  },
  {
    name: "handshake: plain fields come from the query, path params from the path",
    root: "{ room: string; token: string }",
    role: "handshake",
    ctx: { methods: ["GET"], pathParams: ["room"] },
    schema: { type: "object", properties: { room: { type: "string", "x-reprise-source": "path" }, token: { type: "string", "x-reprise-source": "query" } }, required: ["room", "token"] },
  },
  {
    name: "a conditional root type is reported once (RP3011) and yields no schema",
    src: API,
    root: 'number & Min<0> & Max<150> extends never ? never : { age: number & Min<0> & Max<150>; name: string & MinLen<1> & MaxLen<64>; email: string & IsEmail; site: string & IsURL; code: string & MatchesRegexp<"^[A-Z]{3}$">; pre: string & StartsWith<"usr_">; suf: string & EndsWith<".png">; tags: string[] & MaxLen<10> & MinLen<1>; emails: Array<string & IsEmail> & MaxLen<3> }',
    ctx: { methods: ["POST"], pathParams: [] },
    diags: [{ code: "RP3011", text: "number & Min<0> & Max<150> extends never ? never : { age: number & Min<0> & Max<150>; name: string & MinLen<1> & MaxLen<64>; email: string & IsEmail; site: string & IsURL; code: string & MatchesRegexp<\"^[A-Z]{3}$\">; pre: string & StartsWith<\"usr_\">; suf: string & EndsWith<\".png\">; tags: string[] & MaxLen<10> & MinLen<1>; emails: Array<string & IsEmail> & MaxLen<3> }" }],
    schema: null,
  },
  {
    name: "validation rules map to JSON Schema keywords",
    src: API,
    root: '{ age: number & Min<0> & Max<150>; name: string & MinLen<1> & MaxLen<64>; email: string & IsEmail; site: string & IsURL; code: string & MatchesRegexp<"^[A-Z]{3}$">; pre: string & StartsWith<"usr.">; suf: string & EndsWith<".png">; tags: string[] & MaxLen<10> & MinLen<1>; emails: Array<string & IsEmail> & MaxLen<3> }',
    ctx: { methods: ["POST"], pathParams: [] },
    schema: {
      type: "object",
      properties: {
        age: { type: "number", minimum: 0, maximum: 150, "x-reprise-source": "body" },
        name: { type: "string", minLength: 1, maxLength: 64, "x-reprise-source": "body" },
        email: { type: "string", format: "email", "x-reprise-source": "body" },
        site: { type: "string", format: "uri", "x-reprise-source": "body" },
        code: { type: "string", pattern: "^[A-Z]{3}$", "x-reprise-source": "body" },
        pre: { type: "string", pattern: "^usr\\.", "x-reprise-startsWith": "usr.", "x-reprise-source": "body" },
        suf: { type: "string", pattern: "\\.png$", "x-reprise-endsWith": ".png", "x-reprise-source": "body" },
        tags: { type: "array", items: { type: "string" }, maxItems: 10, minItems: 1, "x-reprise-source": "body" },
        emails: { type: "array", items: { type: "string", format: "email" }, maxItems: 3, "x-reprise-source": "body" },
      },
      required: ["age", "name", "email", "site", "code", "pre", "suf", "tags", "emails"],
    },
  },
  {
    name: "validation: OR of rules, grouped rules, stricter bound wins, several patterns, rules on aliases and path params",
    src: API + "type Age = number & Min<0>;",
    root: '{ contact: string & (IsEmail | IsURL); n: number & (Min<1> & Max<5>) & Min<3>; s: string & StartsWith<"a"> & EndsWith<"z">; age: Age & Max<150>; id: number & Min<1> }',
    ctx: { methods: ["GET"], pathParams: ["id"] },
    schema: {
      type: "object",
      properties: {
        contact: { type: "string", anyOf: [{ format: "email" }, { format: "uri" }], "x-reprise-source": "query" },
        n: { type: "number", minimum: 3, maximum: 5, "x-reprise-source": "query" },
        s: { type: "string", pattern: "^a", "x-reprise-startsWith": "a", allOf: [{ pattern: "z$" }], "x-reprise-endsWith": "z", "x-reprise-source": "query" },
        age: { $ref: "#/$defs/Age", maximum: 150, "x-reprise-source": "query" },
        id: { type: "integer", minimum: 1, "x-reprise-source": "path" },
      },
      required: ["contact", "n", "s", "age", "id"],
      $defs: { Age: { type: "number", minimum: 0 } },
    },
  },
  {
    name: "imports: named, renamed, export *, re-export chains, default exports, namespace imports",
    files: {
      "svc/types.ts": "export interface A { a: string }\nexport default interface D { d: number }\ninterface Hidden { h: boolean }\nexport { Hidden as Shown };",
      "svc/index.ts": 'export * from "./types";\nexport { default as DefaultD } from "./types";',
      "lib/b.ts": "type B = { b: string[] };\nexport default B;",
      "lib/re.ts": 'export { A as Renamed } from "../svc/types";\nexport * as types from "../svc/types";',
    },
    src: 'import { A, Shown as S } from "./svc";\nimport { DefaultD } from "./svc/index";\nimport B from "./lib/b";\nimport { Renamed, types } from "./lib/re";\nimport * as T from "./svc/types";',
    root: "{ a: A; s: S; d: DefaultD; b: B; r: Renamed; ns: T.A; nested: types.A }",
    ctx: { methods: ["POST"], pathParams: [] },
    deps: ["lib/b.ts", "lib/re.ts", "main.ts", "svc/index.ts", "svc/types.ts"],
  },
];

for (const c of cases) {
  test(`wire: ${c.name}`, () => {
    const { result, diags } = runCase(c);
    assert.deepEqual(diags, (c.diags ?? []).map((d) => ({ code: d.code, file: d.file ?? "main.ts", text: d.text })));
    if (c.schema !== undefined) assert.deepEqual(result.schema, c.schema);
    if (c.deps) assert.deepEqual(result.dependencies, c.deps);
  });
}

test("wire: imported declarations resolve to the same $defs as local ones", () => {
  const { result, diags } = runCase(cases[cases.length - 1]);
  assert.deepEqual(diags, []);
  const props = result.schema!.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(props.a.$ref, "#/$defs/A");
  assert.deepEqual(props.r.$ref, "#/$defs/A");
  assert.deepEqual(props.ns.$ref, "#/$defs/A");
  assert.deepEqual(props.nested.$ref, "#/$defs/A");
  assert.deepEqual(props.s.$ref, "#/$defs/Hidden");
  assert.deepEqual(props.d.$ref, "#/$defs/D");
  assert.deepEqual(props.b.$ref, "#/$defs/B");
  assert.deepEqual(Object.keys(result.schema!.$defs as object).sort(), ["A", "B", "D", "Hidden"]);
  assert.deepEqual(result.fields, ["a", "s", "d", "b", "r", "ns", "nested"]);
});
