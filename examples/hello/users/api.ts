import { api, APIError } from "reprise/api";
import type { IsEmail, Max, MaxLen, Min, MinLen } from "reprise/validate";
import { getAuthData } from "~reprise/auth";

export interface User {
  id: string;
  name: string;
  email: string;
  age: number;
  tags: string[];
}

interface CreateUserRequest {
  name: string & MinLen<1> & MaxLen<64>;
  email: string & IsEmail;
  age: number & Min<0> & Max<150>;
  tags?: string[] & MaxLen<10>;
}

const store = new Map<string, User>();
let nextId = 1;

/** Registers a user. The body is validated before the handler runs. */
export const create = api(
  { method: "POST", path: "/users", expose: true },
  async (req: CreateUserRequest): Promise<User> => {
    const user: User = { id: String(nextId++), name: req.name, email: req.email, age: req.age, tags: req.tags ?? [] };
    store.set(user.id, user);
    return user;
  },
);

/** Looks a user up by id (also called by the greeter service). */
export const get = api(
  { method: "GET", path: "/users/:id", expose: true },
  async ({ id }: { id: string }): Promise<User> => {
    const user = store.get(id);
    if (!user) throw APIError.notFound(`no user with id ${id}`);
    return user;
  },
);

/** The caller's own profile; requires a valid bearer token. */
export const me = api(
  { method: "GET", path: "/me", expose: true, auth: true },
  async (): Promise<{ userID: string; name: string }> => {
    const auth = getAuthData()!;
    return { userID: auth.userID, name: auth.name };
  },
);
