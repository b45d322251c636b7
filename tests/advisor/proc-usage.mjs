// proc-usage.mjs — CPU time and PSS of a process tree, from /proc.
//
// processTree(rootPid): every descendant of rootPid (not rootPid itself),
// as [{pid, ppid, comm}].
// treeUsage(procs): {cpuSeconds, pssKiB, processes} summed over procs:
//   cpuSeconds = utime + stime of each live process, plus cutime + cstime
//   (children it has already reaped), so helpers that came and went still
//   count; pssKiB = "Pss:" of /proc/<pid>/smaps_rollup (proportional set
//   size: shared pages divided among the processes sharing them, so the sum
//   over a tree is what the tree costs).
//
// SPDX-License-Identifier: GPL-2.0-or-later

import fs from 'node:fs';

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux x86-64 and arm64

function readStat(pid) {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may contain spaces and parentheses: split at the last ')'.
    const close = raw.lastIndexOf(')');
    const comm = raw.slice(raw.indexOf('(') + 1, close);
    const f = raw.slice(close + 2).split(' ');
    // f[0] = state (field 3); utime is field 14 → f[11].
    return {
      pid: Number(pid), comm, ppid: Number(f[1]),
      ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]),
    };
  } catch {
    return null; // gone meanwhile
  }
}

export function processTree(rootPid) {
  const all = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const st = readStat(name);
    if (st) all.push(st);
  }
  const children = new Map();
  for (const p of all) {
    if (!children.has(p.ppid)) children.set(p.ppid, []);
    children.get(p.ppid).push(p);
  }
  const out = [];
  const stack = [...(children.get(rootPid) || [])];
  while (stack.length) {
    const p = stack.pop();
    out.push({ pid: p.pid, ppid: p.ppid, comm: p.comm });
    stack.push(...(children.get(p.pid) || []));
  }
  return out;
}

function pssKiB(pid) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

export function treeUsage(procs) {
  let ticks = 0, pss = 0, n = 0;
  for (const p of procs) {
    const st = readStat(p.pid);
    if (!st) continue;
    ticks += st.ticks;
    pss += pssKiB(p.pid);
    n += 1;
  }
  return { cpuSeconds: +(ticks / CLK_TCK).toFixed(2), pssKiB: pss, processes: n };
}
