/**
 * Which names an infrastructure resource may take, shared by rename (language server) and the "New …" commands
 * (scaffold.ts): a name that would be an error (invalid characters, a JavaScript keyword where the name becomes an
 * identifier, already taken) is refused with a sentence saying why; a name that is only a style warning (e.g. a
 * non-kebab-case service, RP1037) is accepted. Pure.
 */
import type { App, NamedKind } from "@reprise/protocol";
import { clientIdent } from "./sdk.js";

export const JS_RESERVED: ReadonlySet<string> = new Set(
  "break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await arguments eval".split(" "),
);
export const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
/** Infrastructure names (topics, databases, cron ids, ...): letters, digits, `-`, `_`, `.`; they end up in URLs, stream and database names. */
const RESOURCE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
const SERVICE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const BUCKET_NAME = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/**
 * Why `name` cannot be given to a `kind` resource (`scope`: the service of an endpoint, the topic of a
 * subscription), or null. `current` is the resource's own present name (a rename to itself is no clash).
 */
export function nameProblem(app: App, kind: NamedKind, name: string, scope: string | null = null, current?: string): string | null {
  if (current !== undefined && name === current) return null;
  if (!name) return "The name is empty.";
  const other = (n: string) => n !== current;
  switch (kind) {
    case "service": {
      if (!SERVICE_NAME.test(name)) return `'${name}' is not a valid service name: use letters, digits, '-' and '_', starting with a letter.`;
      if (JS_RESERVED.has(clientIdent(name))) return `'${name}' is reserved: its client identifier would be a JavaScript keyword.`;
      const clash = app.services.find((s) => other(s.name) && (s.name === name || clientIdent(s.name) === clientIdent(name)));
      if (clash) return `A service named '${clash.name}' already exists${clash.name !== name ? " (same client identifier)" : ""}.`;
      return null;
    }
    case "endpoint": {
      if (!IDENTIFIER.test(name)) return `'${name}' is not a valid endpoint name: endpoint names are the exported variable's name (a JavaScript identifier).`;
      if (JS_RESERVED.has(name) || name === "ref" || name === "Client") return `'${name}' is reserved${name === "ref" || name === "Client" ? " by the generated service client" : " (a JavaScript keyword)"}.`;
      const svc = app.services.find((s) => s.name === scope);
      if (svc?.endpoints.some((e) => other(e.name) && e.name === name)) return `Service '${scope}' already has an endpoint '${name}'.`;
      return null;
    }
    case "bucket":
      if (!BUCKET_NAME.test(name) || name.length > 63) return `'${name}' is not a valid bucket name: 1 to 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit.`;
      if (app.buckets.some((b) => other(b.name) && b.name === name)) return `A bucket named '${name}' already exists.`;
      return null;
    case "secret":
      if (!IDENTIFIER.test(name) || name.includes("$") || /^_/.test(name)) return `'${name}' is not a valid secret name: letters, digits and '_', starting with a letter (it becomes the REPRISE_SECRET_<Name> variable).`;
      if (app.secrets.some((s) => other(s.name) && s.name === name)) return `A secret named '${name}' already exists${current !== undefined ? "; renaming would merge the two" : ""}.`;
      return null;
    case "gateway":
      return "The gateway's name is fixed ('api-gateway').";
    default: {
      if (!RESOURCE_NAME.test(name)) return `'${name}' is not a valid ${kind === "cron" ? "cron job id" : `${kind} name`}: use letters, digits, '-', '_' and '.', starting with a letter.`;
      const taken =
        kind === "topic" ? app.topics.some((x) => other(x.name) && x.name === name)
        : kind === "subscription" ? app.topics.find((x) => x.name === scope)?.subscriptions.some((s) => other(s.name) && s.name === name)
        : kind === "database" ? app.databases.some((x) => other(x.name) && x.name === name)
        : kind === "cron" ? app.cronJobs.some((x) => other(x.name) && x.name === name)
        : false;
      if (taken) return `A ${kind === "cron" ? "cron job" : kind} named '${name}' already exists${kind === "subscription" ? ` on topic '${scope}'` : ""}.`;
      return null;
    }
  }
}
