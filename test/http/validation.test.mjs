// Request decoding and validation in Rust: body, path, query, header placement, coercion, errors naming fields.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fixture, json, startApp } from "./helpers.mjs";

test("validation", async (t) => {
  const app = await startApp(t, fixture("basic"));
  const post = (body) => fetch(app.url + "/users", { method: "POST", headers: { "content-type": "application/json" }, body });
  const valid = { name: "Ada", email: "ada@example.com", age: 36, tags: ["a", "b"] };

  await t.test("a valid body reaches the handler typed", async () => {
    const r = await post(JSON.stringify(valid));
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { id: 1, ...valid });
  });

  await t.test("invalid fields are 400 invalid_argument naming the field", async () => {
    const cases = [
      [{ ...valid, email: "not-an-email" }, "email"],
      [{ ...valid, name: "" }, "name"],
      [{ ...valid, name: "x".repeat(65) }, "name"],
      [{ ...valid, age: 151 }, "age"],
      [{ ...valid, age: -1 }, "age"],
      [{ ...valid, age: "36" }, "age"],
      [{ ...valid, tags: Array(11).fill("t") }, "tags"],
      [{ ...valid, tags: ["ok", 5] }, "tags[1]"],
      [{ name: "Ada", age: 3 }, "email"],
    ];
    for (const [body, field] of cases) {
      const r = await post(JSON.stringify(body));
      assert.equal(r.status, 400, JSON.stringify(body));
      const e = await r.json();
      assert.equal(e.code, "invalid_argument");
      assert.equal(e.details.field, field);
      assert.ok(e.message.includes(field.replace(/\[.*/, "")), e.message);
    }
  });

  await t.test("malformed JSON and non-object bodies are 400", async () => {
    for (const body of ["{", "[1,2]", '"str"', "{\"name\": \"a\",}"]) {
      const r = await post(body);
      assert.equal(r.status, 400, body);
      assert.equal((await r.json()).code, "invalid_argument");
    }
  });

  await t.test("path, query and header fields are coerced to their types", async () => {
    const r = await fetch(app.url + "/items/42?verbose=true&tag=a&tag=b", { headers: { "x-token": "tok" } });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { id: 42, idType: "number", verbose: true, tag: ["a", "b"], token: "tok" });
    const bad = await fetch(app.url + "/items/abc");
    assert.equal(bad.status, 400);
    assert.equal((await json(bad)).details.field, "id");
    const badQuery = await fetch(app.url + "/items/1?verbose=maybe");
    assert.equal((await json(badQuery)).details.field, "verbose");
  });

  await t.test("bodies over the endpoint's limit are 413", async () => {
    const r = await fetch(app.url + "/small", { method: "POST", body: JSON.stringify({ s: "x".repeat(100) }) });
    assert.equal(r.status, 413);
    const ok = await fetch(app.url + "/small", { method: "POST", body: JSON.stringify({ s: "xy" }) });
    assert.deepEqual(await ok.json(), { len: 2 });
  });
});
