// An Encore.ts app (encore.dev imports, encore.app, encore.service.ts, ~encore/clients, ~encore/auth) runs on
// Reprise unmodified.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, startApp } from "./helpers.mjs";

test("an Encore.ts app runs unmodified", async (t) => {
  const app = await startApp(t, fixture("encore-app"));
  const hello = await fetch(app.url + "/hello/world");
  assert.deepEqual(await hello.json(), { message: "Hello world!" });
  assert.match(app.stdout, /"message":"greeting".*"name":"world"/);
  const shout = await fetch(app.url + "/shout", { method: "POST", body: JSON.stringify({ text: "hey" }) });
  assert.deepEqual(await shout.json(), { message: "HEY!" });
  const short = await fetch(app.url + "/shout", { method: "POST", body: JSON.stringify({ text: "h" }) });
  assert.equal(short.status, 400);
  assert.equal((await fetch(app.url + "/hello.upper", { method: "POST", body: "{}" })).status, 404);
  const mine = await fetch(app.url + "/mine", { headers: { authorization: "Bearer encore" } });
  assert.deepEqual(await mine.json(), { message: "encore-user" });
  assert.equal((await fetch(app.url + "/mine")).status, 401);
});
