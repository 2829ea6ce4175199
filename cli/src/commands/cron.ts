/**
 * `reprise cron list` and `reprise cron run <name>`: list a running app's cron jobs, or run one now and wait for
 * it, through the app's admin routes (the run takes the scheduler's path: in-process endpoint call, overlap rule).
 */
import { formatTable } from "../render/table.js";
import { CRON_LIST_PATH, cronRunPath, type AdminCronJob, type AdminCronList, type AdminCronRun } from "@reprise/protocol";
import { TARGET_OPTIONS, Refused, Unreachable, UsageError, runCommand, toolRequest } from "../admin/client.js";

export const CRON_USAGE = `Usage: reprise cron list [options]
       reprise cron run <name> [options]

List the cron jobs of a running app (\`reprise run\`), or run one now and wait until it finished.

Options:
${TARGET_OPTIONS}`;

function schedule(j: AdminCronJob): string {
  return j.schedule ?? (j.every ? `every ${j.every}` : "-");
}

export function formatJobs(jobs: AdminCronJob[]): string {
  if (jobs.length === 0) return "The app has no cron jobs.";
  const rows = jobs.map((j) => [
    j.name,
    schedule(j),
    j.endpoint ? `${j.endpoint.service}.${j.endpoint.name}` : "-",
    j.running ? "running" : "idle",
    j.nextRun ?? "-",
    j.title === j.name ? "" : j.title,
  ]);
  return formatTable(["NAME", "SCHEDULE", "ENDPOINT", "STATE", "NEXT RUN (UTC)", "TITLE"], rows);
}

export function run(argv: string[]): Promise<number> {
  return runCommand("cron", CRON_USAGE, argv, async (args, target) => {
    const [sub, ...rest] = args.positional;
    if (sub === "list") {
      if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
      const t = await target();
      let list: AdminCronList;
      try {
        list = await toolRequest<AdminCronList>(t, CRON_LIST_PATH, { method: "GET" });
      } catch (e) {
        // A reachable server without the route is not a Reprise app (or not one on this machine).
        if (e instanceof Refused && e.status === 404) throw new Unreachable(`${t.url} has no Reprise admin routes; is it an app started with \`reprise run\` on this machine, reached as 127.0.0.1, localhost or [::1]?`);
        throw e;
      }
      console.log(args.json ? JSON.stringify(list, null, 2) : formatJobs(list.jobs));
      return 0;
    }
    if (sub === "run") {
      const [name, extra] = rest;
      if (!name) throw new UsageError("cron run needs a job name (see `reprise cron list`)");
      if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
      const done = await toolRequest<AdminCronRun>(await target(), cronRunPath(name), { method: "POST", timeoutMs: null });
      if (args.json) console.log(JSON.stringify(done, null, 2));
      else {
        const ep = done.endpoint ? ` (${done.endpoint.service}.${done.endpoint.name})` : "";
        console.log(`cron job ${done.job}${ep} finished in ${done.durationMs.toFixed(1)} ms`);
      }
      return 0;
    }
    throw new UsageError(sub === undefined ? "missing sub-command: list or run" : `unknown sub-command '${sub}': use list or run`);
  });
}
