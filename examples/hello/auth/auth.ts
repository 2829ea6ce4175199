import { APIError, Gateway, type Header } from "reprise/api";
import { authHandler } from "reprise/auth";

interface AuthParams {
  authorization: Header<"Authorization">;
}

export interface AuthData {
  userID: string;
  name: string;
}

/** Accepts `Authorization: Bearer demo-<name>` tokens; a real app would verify a signed token here. */
export const auth = authHandler<AuthParams, AuthData>(async (params) => {
  const token = params.authorization.replace(/^Bearer /, "");
  if (!token.startsWith("demo-")) throw APIError.unauthenticated("invalid token");
  const name = token.slice("demo-".length);
  return { userID: name, name };
});

export const gateway = new Gateway({ authHandler: auth });
