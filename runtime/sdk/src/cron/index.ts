/**
 * `reprise/cron`, the mirror of `encore.dev/cron`: `new CronJob(id, { endpoint, every | schedule })`. Jobs run
 * locally under `reprise run` (UTC; missed runs are not replayed, overlapping runs are skipped and logged) and on
 * demand with `runCronJob(name)`.
 */
import { state } from "../config/registry.js";
import type { DurationString } from "../pubsub/duration.js";

export { runCronJob, cronStatus, setEndpointCaller, type EndpointCaller } from "./runtime.js";

export interface CronJobConfig {
  endpoint: unknown;
  title?: string;
  every?: DurationString;
  schedule?: string;
}

export class CronJob {
  readonly name: string;
  readonly title: string;
  readonly every?: string;
  readonly schedule?: string;
  readonly endpoint: unknown;

  constructor(name: string, cfg: CronJobConfig) {
    if (typeof name !== "string" || !name) throw new TypeError("CronJob: name must be a non-empty string");
    if (!cfg || (cfg.every === undefined) === (cfg.schedule === undefined)) {
      throw new TypeError(`CronJob "${name}": set exactly one of every and schedule`);
    }
    this.name = name;
    this.title = cfg.title ?? name;
    this.every = cfg.every;
    this.schedule = cfg.schedule;
    this.endpoint = cfg.endpoint;
    state().crons.set(name, { name, title: this.title, every: cfg.every, schedule: cfg.schedule, endpoint: cfg.endpoint });
  }
}
