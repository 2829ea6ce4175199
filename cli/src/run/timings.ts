/**
 * Start-up and reload phase timings for `reprise run`, printed to stderr when REPRISE_TIMINGS=1 (milliseconds
 * since the process started; workers print on the same clock). Used to find where start-up time goes.
 */
const enabled = process.env.REPRISE_TIMINGS === "1";

export function mark(phase: string): void {
  if (enabled) process.stderr.write(`reprise timing ${(process.uptime() * 1000).toFixed(1)} ms ${phase}\n`);
}
