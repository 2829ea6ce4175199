// Plain node:http with hand-written validation: the "no framework" baseline of bench:http.
import http from "node:http";
import { EMAIL, port } from "./common.mjs";

function bad(res, field) {
  res.writeHead(400, { "content-type": "application/json" });
  res.end(JSON.stringify({ code: "invalid_argument", message: `invalid ${field}`, details: { field } }));
}

function validUser(u) {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return "body";
  if (typeof u.name !== "string" || u.name.length < 1 || u.name.length > 64) return "name";
  if (typeof u.email !== "string" || !EMAIL.test(u.email)) return "email";
  if (!Number.isInteger(u.age) || u.age < 0 || u.age > 150) return "age";
  if (u.tags !== undefined && (!Array.isArray(u.tags) || u.tags.length > 10 || u.tags.some((t) => typeof t !== "string"))) return "tags";
  return null;
}

http
  .createServer((req, res) => {
    if (req.method === "GET" && req.url.startsWith("/hello/")) {
      const name = decodeURIComponent(req.url.slice(7));
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ message: `Hello ${name}!` }));
    }
    if (req.method === "POST" && req.url === "/users") {
      const chunks = [];
      req.on("data", (c) => chunks.push(c));
      req.on("end", () => {
        let u;
        try {
          u = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        } catch {
          return bad(res, "body");
        }
        const f = validUser(u);
        if (f) return bad(res, f);
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ ok: true, name: u.name }));
      });
      return;
    }
    res.writeHead(404, { "content-type": "application/json" });
    res.end('{"code":"not_found"}');
  })
  .listen(port, "127.0.0.1", () => console.log(`listening on ${port}`));
