/**
 * Hands the app's cron jobs to the Rust scheduler and runs a job's endpoint when it fires. The endpoint is
 * called in-process: through the runtime's service-call hook when the HTTP runtime installed one (same
 * validation and error mapping as an HTTP call), else by calling the endpoint function directly.
 */
import { native, nativeCode } from "../config/native.js";
import { InfraError } from "../config/errors.js";
import { state, type RegisteredCron } from "../config/registry.js";
import { recordError, runInUnit } from "../internal/tracing.js";

/** Installed by the HTTP runtime: calls `service.endpoint` in-process with no parameters. */
export type EndpointCaller = (service: string, endpoint: string) => Promise<unknown>;
const CALLER = Symbol.for("reprise.callEndpoint");

export function setEndpointCaller(fn: EndpointCaller | undefined): void {
  (globalThis as Record<symbol, unknown>)[CALLER] = fn;
}

async function invoke(job: RegisteredCron | undefined, name: string): Promise<void> {
  const modelJob = state().model?.app.cronJobs.find((j) => j.name === name);
  const caller = (globalThis as Record<symbol, EndpointCaller | undefined>)[CALLER];
  if (caller && modelJob?.endpoint) {
    await caller(modelJob.endpoint.service, modelJob.endpoint.name);
    return;
  }
  const ep = job?.endpoint;
  if (typeof ep === "function") {
    await (ep as () => unknown)();
    return;
  }
  throw new Error(`cron job "${name}": its endpoint is not callable in this process`);
}

/**
 * A failed run as the JSON the Rust side reads: the message, plus the API error code and details when the
 * endpoint failed with an APIError (the runtime's in-process call turns every endpoint failure into one), so an
 * on-demand run over the admin route answers with the endpoint's own status and error body.
 */
function failure(e: unknown): string {
  if (!(e instanceof Error)) return JSON.stringify({ message: String(e) });
  const { code, details } = e as { code?: unknown; details?: unknown };
  return JSON.stringify({ message: e.message, code: typeof code === "string" ? code : undefined, details: details ?? undefined });
}

// napi object fields take undefined, not null, for "absent".
function jobs(): { name: string; every?: string; schedule?: string; endpoint?: string }[] {
  const s = state();
  const out = new Map<string, { name: string; every?: string; schedule?: string; endpoint?: string }>();
  for (const j of s.model?.app.cronJobs ?? []) {
    const endpoint = j.endpoint ? `${j.endpoint.service}.${j.endpoint.name}` : undefined;
    out.set(j.name, { name: j.name, every: j.every ?? undefined, schedule: j.schedule ?? undefined, endpoint });
  }
  for (const j of s.crons.values()) if (!out.has(j.name)) out.set(j.name, { name: j.name, every: j.every, schedule: j.schedule });
  return [...out.values()];
}

/** Registers every job with the scheduler; `start` = run them on schedule. */
export function setupCron(start: boolean): void {
  const n = native();
  try {
    n.infraCronSetup(
      jobs(),
      (json) => {
        // trace/traced: the run's tracing handle (a CronRun root span) and whether its spans are recorded.
        const { token, job, trace = 0, traced = false } = JSON.parse(json) as { token: number; job: string; trace?: number; traced?: boolean };
        runInUnit(trace, traced, () => invoke(state().crons.get(job), job)).then(
          () => n.infraDone(token, null),
          (e: unknown) => {
            recordError(trace, e);
            n.infraDone(token, failure(e));
          },
        );
      },
      start,
    );
  } catch (e) {
    throw new InfraError("RP_CRON", nativeCode(e).message, { cause: e });
  }
}

/** Runs a job now and waits for it (`reprise cron run <name>`, the editor's "Run now"). */
export async function runCronJob(name: string): Promise<void> {
  try {
    await native().infraCronRun(name);
  } catch (e) {
    const { code, message } = nativeCode(e);
    const err = new InfraError("RP_CRON", message, { cause: e });
    (err as { reason?: string }).reason = code;
    throw err;
  }
}

export function cronStatus(): { name: string; running: boolean; nextRun: string | null }[] {
  return JSON.parse(native().infraCronStatus()) as { name: string; running: boolean; nextRun: string | null }[];
}
