import { APIError, Gateway, type Header } from "reprise/api";
import { authHandler } from "reprise/auth";
import { secret } from "reprise/config";

const tokenSecret = secret("AuthTokenSecret");

interface AuthParams {
  authorization: Header<"Authorization">;
}

interface AuthData {
  userID: string;
  staff: boolean;
}

const handler = authHandler<AuthParams, AuthData>(async ({ authorization }) => {
  const [scheme, token] = authorization.split(" ");
  if (scheme !== "Bearer" || !token) throw APIError.unauthenticated("expected a bearer token");
  // Demo tokens: "<user>.<signature>", where the signature is the shared secret.
  const [user, signature] = token.split(".");
  if (signature !== tokenSecret()) throw APIError.unauthenticated("bad token");
  return { userID: user, staff: user.startsWith("staff-") };
});

export const gateway = new Gateway({ authHandler: handler });
