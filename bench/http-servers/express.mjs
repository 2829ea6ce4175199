// Express 5 + Zod: the popular-stack arm of bench:http.
import express from "express";
import { z } from "zod";
import { port } from "./common.mjs";

const User = z.object({
  name: z.string().min(1).max(64),
  email: z.string().email(),
  age: z.number().int().min(0).max(150),
  tags: z.array(z.string()).max(10).optional(),
});

const app = express();
app.use(express.json());
app.get("/hello/:name", (req, res) => res.json({ message: `Hello ${req.params.name}!` }));
app.post("/users", (req, res) => {
  const r = User.safeParse(req.body);
  if (!r.success) return res.status(400).json({ code: "invalid_argument", message: r.error.issues[0]?.message, details: { field: r.error.issues[0]?.path.join(".") } });
  res.json({ ok: true, name: r.data.name });
});
app.use((err, _req, res, _next) => res.status(400).json({ code: "invalid_argument", message: "malformed body" }));
app.listen(port, "127.0.0.1", () => console.log(`listening on ${port}`));
