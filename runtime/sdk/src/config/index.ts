/**
 * `reprise/config` (mirror of `encore.dev/config`): secrets. `secret("Name")` is declared at module level and
 * read by calling it; the value comes from `REPRISE_SECRET_<Name>` or the runtime config's `secrets` (which may
 * point at another variable with `$env:NAME`). `reprise run` refuses to start when a secret the app uses is unset.
 */
import { InfraError } from "./errors.js";
import { state } from "./registry.js";

export type Secret<Name extends string = string> = (() => string) & { readonly secretName: Name };
export type AnySecret = Secret<string>;

function resolve(name: string): string | null {
  const fromEnv = process.env[`REPRISE_SECRET_${name}`];
  if (fromEnv !== undefined) return fromEnv;
  return state().config?.secrets[name] ?? null;
}

export function secret<Name extends string>(name: Name): Secret<Name> {
  if (typeof name !== "string" || name.length === 0) throw new TypeError("secret(name): name must be a non-empty string literal");
  const read = (() => {
    const v = resolve(name);
    if (v == null) {
      throw new InfraError("RP_SECRET_MISSING", `secret "${name}" is not set: set REPRISE_SECRET_${name} or secrets.${name} in the runtime config`);
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
