/**
 * Runs fuzz jobs in a child process (fuzz-child.ts) so that a native crash (SIGSEGV in swc) or a hang is counted
 * and named instead of killing the run: when the child dies, the job it had started is a crash and a new child
 * goes on with the next job; a job that takes longer than `hangMs` is a hang (the child is killed).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface FuzzOutcome {
  i: number;
  kind: string;
  file: string;
  ms: number;
  internal: string[];
  guarded: number;
}

export interface FuzzReport {
  runs: number;
  outcomes: FuzzOutcome[];
  crashes: { i: number; signal: string | null; code: number | null }[];
  hangs: { i: number }[];
  wallMs: number;
}

const CHILD = fileURLToPath(new URL("./fuzz-child.js", import.meta.url));

export async function runFuzz(seed: number, count: number, hangMs = 10_000, onProgress?: (done: number) => void): Promise<FuzzReport> {
  const t0 = performance.now();
  const report: FuzzReport = { runs: 0, outcomes: [], crashes: [], hangs: [], wallMs: 0 };
  let next = 0;
  while (next < count) {
    next = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ["--max-old-space-size=4096", CHILD, String(seed), String(next), String(count)], { stdio: ["ignore", "pipe", "pipe"] });
      let started = -1;
      let resumeAt = next;
      let hung = false;
      let buf = "";
      let timer: NodeJS.Timeout | undefined;
      const arm = () => {
        if (timer) clearTimeout(timer);
        timer = setTimeout(() => {
          hung = true;
          child.kill("SIGKILL");
        }, hangMs);
      };
      child.stderr.on("data", () => undefined);
      child.stdout.on("data", (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const msg = JSON.parse(line);
          if (typeof msg.start === "number") {
            started = msg.start;
            arm();
          } else if (typeof msg.done === "number") {
            if (timer) clearTimeout(timer);
            report.outcomes.push({ i: msg.done, kind: msg.kind, file: msg.file, ms: msg.ms, internal: msg.internal, guarded: msg.guarded });
            report.runs++;
            resumeAt = msg.done + 1;
            started = -1;
            onProgress?.(report.runs);
          }
        }
      });
      child.on("exit", (code, signal) => {
        if (timer) clearTimeout(timer);
        if (started >= 0) {
          // The job that was running when the child died (or was killed).
          if (hung) report.hangs.push({ i: started });
          else report.crashes.push({ i: started, signal, code });
          report.runs++;
          resolve(started + 1);
        } else if (resumeAt < count && code !== 0) {
          // Died outside a job (loading the corpus): count it against the next job so the run still ends.
          report.crashes.push({ i: resumeAt, signal, code });
          report.runs++;
          resolve(resumeAt + 1);
        } else resolve(Math.max(resumeAt, count));
      });
    });
  }
  report.wallMs = performance.now() - t0;
  return report;
}
