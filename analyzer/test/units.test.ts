/** Small pure helpers the diagnostics rely on: cron expressions, durations, paths, route shapes, JSONC, names. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { validateCron } from "../src/cron-expr.js";
import { parseDuration, evalInteger } from "../src/literal.js";
import { parsePath } from "../src/paths.js";
import { routeShape, routesConflict, sharedMethod } from "../src/link/routes.js";
import { stripJsonComments } from "../src/jsonc.js";
import { closest, toKebabCase, toSnakeCase } from "../src/names.js";
import { generatedModuleOf, sdkModuleOf } from "../src/sdk.js";
import { joinPath } from "../src/resolve.js";

test("cron expressions: 5 fields, ranges, steps, lists, names, L and #", () => {
  for (const ok of ["* * * * *", "0 0 * * *", "*/15 9-17 * * MON-FRI", "0 12 1,15 JAN,jul *", "0 0 L * *", "0 0 ? * 5L", "0 0 * * 1#2", "0 0 * * 7", "5-10/2 * * * *"]) {
    assert.equal(validateCron(ok), null, ok);
  }
  const bad: [string, number][] = [["* * * *", -1], ["* * * * * *", -1], ["60 * * * *", 0], ["* 24 * * *", 1], ["* * 0 * *", 2], ["* * * 13 *", 3], ["* * * * 8", 4], ["*/0 * * * *", 0], ["10-5 * * * *", 0], ["a * * * *", 0], ["1,,2 * * * *", 0]];
  for (const [expr, field] of bad) assert.equal(validateCron(expr)?.field, field, expr);
});

test("durations are one number and one unit", () => {
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("10m"), 600_000);
  assert.equal(parseDuration("1d"), 86_400_000);
  assert.equal(parseDuration("500ms"), 500);
  for (const bad of ["1h30m", "5 min", "10", "-1s", "1.5h", ""]) assert.equal(parseDuration(bad), null, bad);
});

test("integer constant expressions", () => {
  const n = (value: number) => ({ type: "NumericLiteral", value });
  const bin = (operator: string, left: unknown, right: unknown) => ({ type: "BinaryExpression", operator, left, right });
  assert.equal(evalInteger(bin("*", bin("*", n(10), n(1024)), n(1024))), 10 * 1024 * 1024);
  assert.equal(evalInteger(bin("/", n(10), n(4))), undefined);
  assert.equal(evalInteger(bin("**", n(2), n(3))), undefined);
  assert.equal(evalInteger({ type: "UnaryExpression", operator: "-", argument: n(3) }), -3);
});

test("paths: segments and problems", () => {
  assert.deepEqual(parsePath("/users/:id/*rest").segments.map((s) => s.type), ["literal", "param", "wildcard"]);
  assert.deepEqual(parsePath("/").segments, []);
  assert.equal(parsePath("users").problems[0].fixed, "/users");
  assert.equal(parsePath("/a//b/").problems[0].fixed, "/a/b");
  assert.equal(parsePath("http://x.io/a").problems[0].fixed, "/a");
});

test("route conflicts follow the router: params by position, static beats params", () => {
  const p = (s: string) => parsePath(s).segments;
  assert.ok(routesConflict(p("/a/:id"), p("/a/:key")));
  assert.ok(!routesConflict(p("/a/me"), p("/a/:id")));
  assert.ok(!routesConflict(p("/a/:id"), p("/a/:id/b")));
  assert.ok(!routesConflict(p("/!rest"), p("/:x")));
  for (const [a, b] of [["/a/:id", "/a/:key"], ["/a/me", "/a/:id"], ["/x/*a", "/x/:b"], ["/!r", "/*r"]]) {
    assert.equal(routeShape(p(a)) === routeShape(p(b)), routesConflict(p(a), p(b)), `${a} vs ${b}`);
  }
  assert.equal(sharedMethod(["*"], ["GET"]), "GET");
  assert.equal(sharedMethod(["*"], ["CONNECT"]), null);
  assert.equal(sharedMethod(["GET"], ["POST"]), null);
});

test("JSON with comments, names, module specifiers, paths", () => {
  assert.deepEqual(JSON.parse(stripJsonComments('{ // c\n "a": "// not a comment", /* b */ "b": [1,], }')), { a: "// not a comment", b: [1] });
  assert.equal(toKebabCase("UserSignups"), "user-signups");
  assert.equal(toKebabCase("send_email"), "send-email");
  assert.equal(toSnakeCase("MyDB"), "my_db");
  assert.equal(closest("exposed", ["expose", "auth"]), "expose");
  assert.equal(closest("zzz", ["expose", "auth"]), null);
  assert.deepEqual(sdkModuleOf("encore.dev/storage/sqldb"), { module: "storage/sqldb", family: "encore" });
  assert.deepEqual(sdkModuleOf("reprise/api"), { module: "api", family: "reprise" });
  assert.equal(sdkModuleOf("encore.dev/unknown"), null);
  assert.equal(generatedModuleOf("../encore.gen/clients"), "clients");
  assert.equal(generatedModuleOf("~reprise/auth"), "auth");
  assert.equal(generatedModuleOf("./clients"), null);
  assert.equal(joinPath("a/b", "../c"), "a/c");
  assert.equal(joinPath("a", "../../x"), null);
});
