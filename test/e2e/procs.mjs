// Process bookkeeping for the e2e harness: everything it kills is a PID it started or a descendant of one,
// identified by (pid, start time) from /proc so a reused PID is never signalled.
import fs from "node:fs";

function procTable() {
  const t = new Map();
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, "utf8");
      const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
      t.set(Number(d), { ppid: Number(f[1]), start: f[19] });
    } catch {} // exited meanwhile
  }
  return t;
}

export function descendants(rootPid) {
  const t = procTable();
  const out = [];
  const todo = [rootPid];
  while (todo.length) {
    const p = todo.pop();
    for (const [pid, i] of t) if (i.ppid === p) { out.push({ pid, start: i.start }); todo.push(pid); }
  }
  return out;
}

export function stillSame({ pid, start }) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ");
    return f[19] === start && f[0] !== "Z";
  } catch {
    return false;
  }
}

export function describeProcesses(list) {
  return list.map(({ pid }) => {
    try {
      return `${pid} (${fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").slice(0, 80)})`;
    } catch {
      return String(pid);
    }
  }).join(", ");
}
