/**
 * The admin routes of a running app (runtime/src/admin.rs, behind the tool routes' gate: tool-routes.ts; contract
 * in docs/infrastructure.md "Admin routes"): their paths and answers, shared by the CLI (`reprise cron`,
 * `reprise pubsub`, `reprise metrics`) and the editor.
 */

export const ADMIN_API_PATH = "/__reprise/admin";

/** `GET /__reprise/admin/cron` */
export const CRON_LIST_PATH = `${ADMIN_API_PATH}/cron`;

/** `POST /__reprise/admin/cron/<job>/run` */
export function cronRunPath(job: string): string {
  return `${ADMIN_API_PATH}/cron/${encodeURIComponent(job)}/run`;
}

/** `POST /__reprise/admin/topics/<topic>/publish` with the message as the JSON body. */
export function topicPublishPath(topic: string): string {
  return `${ADMIN_API_PATH}/topics/${encodeURIComponent(topic)}/publish`;
}

/** `GET /__reprise/admin/metrics` */
export const METRICS_PATH = `${ADMIN_API_PATH}/metrics`;

/** One metric series (encore.dev/metrics): counters are cumulative, gauges the last value set. */
export interface AdminMetric {
  name: string;
  kind: "counter" | "gauge";
  /** The service that recorded it (its request's, else the one whose folder declared the metric). */
  service: string | null;
  labels: Record<string, string>;
  value: number;
}

export interface AdminMetrics {
  metrics: AdminMetric[];
}

export interface AdminEndpointRef {
  service: string;
  name: string;
}

export interface AdminCronJob {
  name: string;
  title: string;
  /** Null when the analyser could not resolve the job's endpoint. */
  endpoint: AdminEndpointRef | null;
  schedule?: string;
  every?: string;
  running: boolean;
  /** RFC 3339; null before the scheduler started. */
  nextRun: string | null;
}

export interface AdminCronList {
  jobs: AdminCronJob[];
}

export interface AdminCronRun {
  job: string;
  endpoint: AdminEndpointRef | null;
  durationMs: number;
}

export interface AdminPublished {
  messageId: string;
}

/** Every error answer: `{code, message, details}` (409 `aborted` for a run already in progress). */
export interface AdminError {
  code: string;
  message: string;
  details: Record<string, unknown> | null;
}
