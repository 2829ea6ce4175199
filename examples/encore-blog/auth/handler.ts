import { APIError, Gateway, type Header } from "encore.dev/api";
import { authHandler } from "encore.dev/auth";

interface AuthParams {
  authorization: Header<"Authorization">;
}

interface AuthData {
  userID: string;
}

// Demo: a bearer token is the author's id.
const bearer = authHandler<AuthParams, AuthData>(async ({ authorization }) => {
  const token = authorization.replace(/^Bearer /, "");
  if (!token) throw APIError.unauthenticated("missing token");
  return { userID: token };
});

export const gateway = new Gateway({ authHandler: bearer });
