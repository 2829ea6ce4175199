import { test } from "node:test";
import assert from "node:assert/strict";
import { APP_MODEL_VERSION } from "../src/index.js";

test("app model version is 1", () => {
  assert.equal(APP_MODEL_VERSION, 1);
});
