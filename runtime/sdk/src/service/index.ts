/**
 * `reprise/service` (and `encore.dev/service`): `export default new Service("name", { middlewares })` in a
 * service's reprise.service.ts / encore.service.ts. Constructing it registers the service's middleware.
 */
import type { Middleware } from "../api/middleware.js";
import { registry } from "../internal/registry.js";

export interface ServiceConfig {
  /** Run in array order around this service's endpoints (those their `target` matches). */
  middlewares?: Middleware[];
}

export class Service {
  readonly name: string;
  readonly cfg: ServiceConfig;

  constructor(name: string, cfg: ServiceConfig = {}) {
    if (typeof name !== "string" || name === "") throw new TypeError("new Service(name): name must be a non-empty string");
    this.name = name;
    this.cfg = cfg;
    registry().services.set(name, { name, middlewares: cfg.middlewares ?? [] });
  }
}
