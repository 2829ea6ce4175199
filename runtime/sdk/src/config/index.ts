/**
 * `reprise/config` (mirror of `encore.dev/config`): secrets. `secret("Name")` is declared at module level and
 * read by calling it; the value comes from `REPRISE_SECRET_<Name>`, in local development `.secrets.local.cue` at
 * the app root, or the runtime config's `secrets` (which may point at another variable with `$env:NAME`); see
 * secrets.ts. In local development an unset secret reads as `""` (start-up warns); elsewhere `reprise run`
 * refuses to start when a secret the app uses is unset.
 */
import { InfraError } from "./errors.js";
import { isLocalEnvironment, resolveSecret } from "./secrets.js";

export type Secret<Name extends string = string> = (() => string) & { readonly secretName: Name };
export type AnySecret = Secret<string>;

export function secret<Name extends string>(name: Name): Secret<Name> {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("secret(name): name must be a non-empty string literal");
  const read = (() => {
    const v = resolveSecret(name);
    if (v == null) {
      if (isLocalEnvironment()) return "";
      throw new InfraError("RP_SECRET_MISSING", `secret ${name} is not set: set REPRISE_SECRET_${name} or secrets.${name} in the runtime config`);
    }
    return v;
  }) as Secret<Name>;
  Object.defineProperty(read, "secretName", { value: name });
  return read;
}

export { InfraError } from "./errors.js";
export type { InfraErrorCode } from "./errors.js";

/** Start-up of the infrastructure, called by `reprise run` (and by scripts/tests that use SQL, pub/sub, buckets). */
export {
  startInfra,
  prepareInfra,
  stopInfra,
  loadRuntimeConfig,
  type StartInfraOptions,
  type PrepareInfraOptions,
  type PreparedInfra,
  type InfraHandle,
} from "./infra.js";
export type { ResolvedConfig, InfraModel } from "./registry.js";
export { checkDeployment, missingDeploymentConfig, type DeploymentModel } from "./deploy.js";
