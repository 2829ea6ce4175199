// Fastify 5 with its Ajv JSON schemas: the reference arm of bench:http.
import Fastify from "fastify";
import { port } from "./common.mjs";

const app = Fastify({ logger: false });
app.get("/hello/:name", async (req) => ({ message: `Hello ${req.params.name}!` }));
app.post(
  "/users",
  {
    schema: {
      body: {
        type: "object",
        required: ["name", "email", "age"],
        properties: {
          name: { type: "string", minLength: 1, maxLength: 64 },
          email: { type: "string", format: "email" },
          age: { type: "integer", minimum: 0, maximum: 150 },
          tags: { type: "array", items: { type: "string" }, maxItems: 10 },
        },
      },
    },
  },
  async (req) => ({ ok: true, name: req.body.name }),
);
await app.listen({ port, host: "127.0.0.1" });
console.log(`listening on ${port}`);
