import { api } from "reprise/api";
import type { MaxLen, MinLen } from "reprise/validate";
import { users } from "~reprise/clients";

interface HelloResponse {
  message: string;
}

/** Says hello to whoever is named in the path. */
export const hello = api(
  { method: "GET", path: "/hello/:name", expose: true },
  async ({ name }: { name: string }): Promise<HelloResponse> => {
    return { message: `Hello ${name}!` };
  },
);

interface GreetRequest {
  /** The user to greet, by id. */
  userId: string;
  greeting?: string & MinLen<1> & MaxLen<40>;
}

/** Greets a registered user by looking them up in the users service. */
export const greetUser = api(
  { method: "POST", path: "/greetings", expose: true },
  async ({ userId, greeting }: GreetRequest): Promise<HelloResponse> => {
    const user = await users.get({ id: userId });
    return { message: `${greeting ?? "Hello"}, ${user.name}!` };
  },
);
