/** schemaToText renders JSON Schemas as TypeScript-like text (sample values: protocol/test/sample.test.ts). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { schemaToText } from "../src/schema-text.js";

const user = {
  type: "object",
  properties: {
    id: { type: "integer", "x-reprise-source": "path" },
    name: { type: "string", minLength: 2 },
    role: { enum: ["admin", "member"] },
    tags: { type: "array", items: { type: "string" } },
    created: { type: "string", format: "date-time" },
    "x-trace": { type: "string", "x-reprise-source": "header" },
    manager: { $ref: "#/$defs/User" },
    either: { anyOf: [{ type: "string" }, { type: "null" }] },
  },
  required: ["id", "name", "role", "tags", "created"],
  $defs: { User: { type: "object", properties: { id: { type: "integer" }, manager: { $ref: "#/$defs/User" } }, required: ["id"] } },
};

test("objects render one property per line with optional markers, sources, unions and refs", () => {
  assert.equal(
    schemaToText(user),
    [
      "{",
      "  id: number;  // path",
      "  name: string;",
      '  role: "admin" | "member";',
      "  tags: string[];",
      "  created: Date;",
      '  "x-trace"?: string;  // header',
      "  manager?: {",
      "    id: number;",
      "    manager?: User;",
      "  };",
      "  either?: string | null;",
      "}",
    ].join("\n"),
  );
});

test("scalars, arrays of unions, records and a missing schema", () => {
  assert.equal(schemaToText(null), "void");
  assert.equal(schemaToText({ type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } }), "(string | number)[]");
  assert.equal(schemaToText({ type: "object", additionalProperties: { type: "boolean" } }), "Record<string, boolean>");
  assert.equal(schemaToText({ type: ["string", "null"] }), "string | null");
  assert.equal(schemaToText({ const: 3 }), "3");
});
