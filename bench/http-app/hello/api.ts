// The bench:http workload (GET /hello/:name, POST /users validated) plus filler endpoints for a 10-endpoint app.
import { api } from "reprise/api";
import type { IsEmail, Max, MaxLen, Min, MinLen } from "reprise/validate";

export const hello = api({ method: "GET", path: "/hello/:name", expose: true }, async ({ name }: { name: string }) => ({ message: `Hello ${name}!` }));

interface CreateUser {
  name: string & MinLen<1> & MaxLen<64>;
  email: string & IsEmail;
  age: number & Min<0> & Max<150>;
  tags?: string[] & MaxLen<10>;
}

export const createUser = api({ method: "POST", path: "/users", expose: true }, async (u: CreateUser) => ({ ok: true, name: u.name }));

export const e3 = api({ method: "GET", path: "/e3/:id", expose: true }, async ({ id }: { id: number }) => ({ id }));
export const e4 = api({ method: "GET", path: "/e4", expose: true }, async () => ({ ok: 4 }));
export const e5 = api({ method: "POST", path: "/e5", expose: true }, async ({ a }: { a: string }) => ({ a }));
export const e6 = api({ method: "GET", path: "/e6/:x/:y", expose: true }, async ({ x, y }: { x: string; y: string }) => ({ x, y }));
export const e7 = api({ method: "DELETE", path: "/e7/:id", expose: true }, async ({ id }: { id: string }) => ({ id }));
export const e8 = api({ method: "PUT", path: "/e8/:id", expose: true }, async ({ id, v }: { id: string; v: number }) => ({ id, v }));
export const e9 = api({ method: "GET", path: "/e9", expose: true }, async () => ({ ok: 9 }));
export const e10 = api({ method: "PATCH", path: "/e10/:id", expose: true }, async ({ id }: { id: string }) => ({ id }));
