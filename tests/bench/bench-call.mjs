#!/usr/bin/env node
// bench-call.mjs — the same N-second 640x480 call, made three ways against a
// headless Chromium advisor (tests/advisor/participant.mjs) through a test
// Janus, one after the other, in one network namespace:
//
//   1. the kiosk's headless test call   (relais-kiosk --test-call)
//   2. the full kiosk window under Xvfb  (skipped, with the reason, while the
//      kiosk UI's call path is not wired to Janus)
//   3. headless Chromium in the kiosk's role (participant.mjs)
//
// For each: join → first remote frame, CPU seconds (utime+stime of the
// process tree, reaped children included, from /proc/<pid>/stat), peak PSS
// (smaps_rollup, summed over the tree), frames; then the kiosk/Chromium
// ratios. Not part of the test suite: run it through run-bench.sh, which
// makes the namespace.
//
//   tests/bench/run-bench.sh [--duration 60] [--kiosk build/kiosk/relais-kiosk]
//                            [--baseline OTHER/relais-kiosk] [--json]
//
// --baseline adds a row for another kiosk build (e.g. the one before a
// change), run in the same namespace, Janus and minute: on a noisy host the
// ratios of one run are worth more than absolute numbers of two.
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const advisorDir = path.join(repo, 'tests', 'advisor');
process.env.RELAIS_INTEGRATION_DIR ||= path.join(repo, 'tests', 'integration');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '60' },
    kiosk: { type: 'string', default: process.env.RELAIS_KIOSK || path.join(repo, 'build', 'kiosk', 'relais-kiosk') },
    baseline: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (args.help) {
  process.stdout.write('usage: bench-call.mjs [--duration SECONDS] [--kiosk PATH] [--baseline PATH] [--json]\n');
  process.exit(0);
}
const duration = parseInt(args.duration, 10);
if (!(duration > 0)) { process.stderr.write('--duration must be a positive integer\n'); process.exit(2); }

const addr = process.env.RELAIS_TEST_ADDR;
if (!addr) { process.stderr.write('bench-call.mjs: run it through tests/bench/run-bench.sh (needs the test namespace)\n'); process.exit(2); }
for (const [what, p] of [['relais-kiosk', args.kiosk], ...(args.baseline ? [['baseline relais-kiosk', args.baseline]] : []), ['playwright-core', path.join(advisorDir, 'node_modules', 'playwright-core')], ['janus', '/usr/bin/janus'], ['chromium', process.env.RELAIS_CHROMIUM || '/usr/bin/chromium']]) {
  if (!fs.existsSync(p)) { process.stderr.write(`${what} missing (${p}): build the kiosk and run packaging/relais-dev.sh test\n`); process.exit(1); }
}

const { startJanus } = await import(path.join(advisorDir, 'janus-server.mjs'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CLK_TCK = 100;

// ---------------------------------------------------------------- /proc
function readStat(pid) {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const close = raw.lastIndexOf(')');
    const comm = raw.slice(raw.indexOf('(') + 1, close);
    const f = raw.slice(close + 2).split(' ');
    // utime stime cutime cstime: fields 14–17.
    return { pid: Number(pid), comm, ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]) };
  } catch { return null; }
}
function pss(pid) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').match(/^Pss:\s+(\d+) kB/m);
    return m ? Number(m[1]) : 0;
  } catch { return 0; }
}
// The tree under (and including) root; @filter picks which processes count.
function treeUsage(root, filter) {
  const all = [];
  for (const name of fs.readdirSync('/proc')) if (/^\d+$/.test(name)) { const s = readStat(name); if (s) all.push(s); }
  const kids = new Map();
  for (const p of all) { if (!kids.has(p.ppid)) kids.set(p.ppid, []); kids.get(p.ppid).push(p); }
  const rootStat = all.find((p) => p.pid === root);
  const tree = rootStat ? [rootStat] : [];
  for (let i = 0; i < tree.length; i++) tree.push(...(kids.get(tree[i].pid) || []));
  const counted = tree.filter(filter);
  return {
    cpuSeconds: counted.reduce((a, p) => a + p.ticks, 0) / CLK_TCK,
    pssKiB: counted.reduce((a, p) => a + pss(p.pid), 0),
    processes: counted.length,
  };
}

// ---------------------------------------------------------------- children
function start(cmd, argv, env = {}) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const res = { child, out: '', err: '', code: null, lines: [] };
  child.stdout.on('data', (d) => { res.out += d; });
  child.stderr.on('data', (d) => { res.err += d; });
  res.exited = new Promise((r) => child.on('exit', (code, sig) => { res.code = code ?? 128; res.signal = sig; r(res); }));
  return res;
}
const jsonLines = (text) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean);

function advisor(janusUrl, room, seconds) {
  return start(process.execPath, [path.join(advisorDir, 'participant.mjs'), '--janus', janusUrl, '--room', String(room),
    '--display', 'advisor', '--duration', String(seconds), '--expect-publishers', '1']);
}
async function waitJoined(p, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (jsonLines(p.out).some((j) => j.type === 'joined')) return true;
    if (p.code !== null) return false;
    await sleep(100);
  }
  return false;
}

// Samples the subject's tree every 250 ms until it exits.
async function measure(subject, filter) {
  let last = { cpuSeconds: 0, pssKiB: 0, processes: 0 };
  let peakPss = 0;
  const t0 = Date.now();
  let done = false;
  subject.exited.then(() => { done = true; });
  while (!done) {
    const u = treeUsage(subject.child.pid, filter);
    if (u.processes > 0) { last = u; peakPss = Math.max(peakPss, u.pssKiB); }
    await sleep(250);
  }
  return { cpuSeconds: last.cpuSeconds, peakPssKiB: peakPss, processes: last.processes, wallSeconds: (Date.now() - t0) / 1000 };
}

// ---------------------------------------------------------------- the three ways
async function runWay(janus, way) {
  const room = 500000 + Math.floor(Math.random() * 400000);
  const adv = advisor(janus.url, room, duration + 40);
  if (!(await waitJoined(adv, 30000))) {
    adv.child.kill('SIGTERM'); await adv.exited;
    return { way: way.name, error: 'advisor (Chromium) did not join: ' + adv.err.slice(-500) };
  }
  const subject = way.start(janus.url, room);
  const usage = await measure(subject, way.filter);
  await subject.exited;
  adv.child.kill('SIGTERM');
  await adv.exited;
  const r = way.result(subject);
  // The advisor is stopped early (no summary then): its last tick counts.
  // SIGTERM makes it close the browser under its own polling loop, which can
  // then print an 'exception' summary without counters: skip such lines.
  const advTicks = jsonLines(adv.out).filter((j) => (j.type === 'tick' || j.type === 'summary') &&
    typeof j.framesDecoded === 'number');
  const advLast = advTicks.length ? advTicks[advTicks.length - 1] : null;
  return { way: way.name, exit: subject.code, ...r, ...usage,
    advisorFramesDecoded: advLast ? advLast.framesDecoded : null };
}

const kioskWayFor = (binary, name) => ({
  name,
  // RELAIS_BENCH_KIOSK_PREFIX runs the kiosk under a tool (e.g. "perf record -o /tmp/k.data --"):
  // for profiling only, the tool's own CPU and memory count in the row then.
  start: (url, room) => {
    const argv = ['--test-call', '--janus', url, '--room', String(room), '--duration', String(duration),
      '--display', 'kiosk', '--ice-address', addr];
    const prefix = (process.env.RELAIS_BENCH_KIOSK_PREFIX || '').split(/\s+/).filter(Boolean);
    return prefix.length ? start(prefix[0], [...prefix.slice(1), binary, ...argv]) : start(binary, argv);
  },
  filter: () => true,
  result: (s) => {
    const j = jsonLines(s.out).pop() || {};
    return { joinToFirstFrameMs: j.setup_ms ?? null, framesSent: j.frames_sent, framesReceived: j.frames_received,
      fpsReceived: j.fps_received, kbpsIn: j.kbps_in, kbpsOut: j.kbps_out, error: j.error || null };
  },
});
const kioskWay = kioskWayFor(args.kiosk, 'kiosk --test-call (headless)');

const chromiumWay = {
  name: 'headless Chromium (participant.mjs)',
  start: (url, room) => start(process.execPath, [path.join(advisorDir, 'participant.mjs'), '--janus', url, '--room', String(room),
    '--display', 'kiosk', '--duration', String(duration), '--expect-publishers', '1', '--no-create']),
  // The browser, not the node/playwright harness driving it.
  filter: (p) => /chrom/i.test(p.comm),
  result: (s) => {
    const j = jsonLines(s.out).find((x) => x.type === 'summary') || {};
    const t = j.timingMs || {};
    return { joinToFirstFrameMs: t.joinRequestToFirstRemoteFrame ?? null, framesSent: j.framesSent, framesReceived: j.framesDecoded,
      fpsReceived: j.remoteVideo ? j.remoteVideo.fps : null, error: j.ok ? null : (j.problems || j.reason || 'failed') };
  },
};

// The window's call path: today RelaisApplication refuses calls through the
// gateway ("pas encore possibles"); measuring the demo advisor instead would
// compare something else, so the row is skipped and says why.
function windowWayStatus() {
  const src = path.join(repo, 'kiosk', 'relais-application.c');
  const text = fs.existsSync(src) ? fs.readFileSync(src, 'utf8') : '';
  if (/appels par le serveur ne sont pas encore possibles/.test(text))
    return 'skipped: the kiosk window cannot call through Janus yet (RelaisApplication start_call refuses non-demo calls)';
  return 'skipped: the kiosk window call path is wired to Janus now, but this bench does not drive its UI yet';
}

const janus = await startJanus({ addr, sessionTimeout: 60 });
const results = [];
try {
  process.stderr.write(`bench: ${duration} s calls, Janus at ${janus.url}\n`);
  process.stderr.write('bench: 1/3 kiosk --test-call…\n');
  results.push(await runWay(janus, kioskWay));
  results.push({ way: 'kiosk window (Xvfb)', skipped: windowWayStatus() });
  process.stderr.write('bench: 3/3 headless Chromium…\n');
  results.push(await runWay(janus, chromiumWay));
  if (args.baseline) {
    process.stderr.write('bench: baseline kiosk --test-call…\n');
    results.push(await runWay(janus, kioskWayFor(args.baseline, 'baseline kiosk --test-call')));
  }
} finally {
  await janus.stop();
}

const [k, , c, b] = results;
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? +(a / b).toFixed(2) : null);
const ratios = {
  joinToFirstFrame: ratio(k.joinToFirstFrameMs, c.joinToFirstFrameMs),
  cpuSeconds: ratio(k.cpuSeconds, c.cpuSeconds),
  peakPss: ratio(k.peakPssKiB, c.peakPssKiB),
  ...(b ? { baseline: {
    joinToFirstFrame: ratio(b.joinToFirstFrameMs, c.joinToFirstFrameMs),
    cpuSeconds: ratio(b.cpuSeconds, c.cpuSeconds),
    peakPss: ratio(b.peakPssKiB, c.peakPssKiB),
  } } : {}),
};
const fpsSent = (r) => (typeof r.framesSent === 'number' && r.wallSeconds > 0 ? r.framesSent / duration : null);

if (args.json) {
  process.stdout.write(JSON.stringify({ duration, results, ratios }) + '\n');
} else {
  const fmt = (v, d = 0) => (v === null || v === undefined ? '—' : typeof v === 'number' ? v.toFixed(d) : String(v));
  // Optional baseline columns: the other build and its ratio to Chromium.
  const base = (f, fr) => (b ? [f(b), fr === undefined ? '' : fr] : []);
  const pct = (r) => fmt(r.cpuSeconds / r.wallSeconds * 100, 1);
  const rows = [
    ['', 'kiosk --test-call', 'kiosk window (Xvfb)', 'headless Chromium', 'kiosk/Chromium', ...(b ? ['baseline kiosk', 'baseline/Chromium'] : [])],
    ['join → first frame (ms)', fmt(k.joinToFirstFrameMs), 'skipped', fmt(c.joinToFirstFrameMs), fmt(ratios.joinToFirstFrame, 2),
      ...base((r) => fmt(r.joinToFirstFrameMs), b && fmt(ratios.baseline.joinToFirstFrame, 2))],
    ['CPU (s, tree)', fmt(k.cpuSeconds, 1), 'skipped', fmt(c.cpuSeconds, 1), fmt(ratios.cpuSeconds, 2),
      ...base((r) => fmt(r.cpuSeconds, 1), b && fmt(ratios.baseline.cpuSeconds, 2))],
    ['CPU (% of one core)', pct(k), 'skipped', pct(c), '', ...base(pct)],
    ['peak PSS (MiB, tree)', fmt(k.peakPssKiB / 1024, 1), 'skipped', fmt(c.peakPssKiB / 1024, 1), fmt(ratios.peakPss, 2),
      ...base((r) => fmt(r.peakPssKiB / 1024, 1), b && fmt(ratios.baseline.peakPss, 2))],
    ['processes', fmt(k.processes), 'skipped', fmt(c.processes), '', ...base((r) => fmt(r.processes))],
    ['frames sent', fmt(k.framesSent), 'skipped', fmt(c.framesSent), '', ...base((r) => fmt(r.framesSent))],
    ['fps sent (frames / duration)', fmt(fpsSent(k), 1), 'skipped', fmt(fpsSent(c), 1), '', ...base((r) => fmt(fpsSent(r), 1))],
    ['frames received', fmt(k.framesReceived), 'skipped', fmt(c.framesReceived), '', ...base((r) => fmt(r.framesReceived))],
    ['advisor decoded', fmt(k.advisorFramesDecoded), 'skipped', fmt(c.advisorFramesDecoded), '', ...base((r) => fmt(r.advisorFramesDecoded))],
    ['wall (s)', fmt(k.wallSeconds, 1), 'skipped', fmt(c.wallSeconds, 1), '', ...base((r) => fmt(r.wallSeconds, 1))],
    ['exit status', fmt(k.exit), 'skipped', fmt(c.exit), '', ...base((r) => fmt(r.exit))],
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) process.stdout.write(r.map((v, i) => String(v).padEnd(widths[i])).join('  ') + '\n');
  process.stdout.write(`\nkiosk window: ${results[1].skipped}\n`);
  for (const r of [k, c, ...(b ? [b] : [])]) if (r.error) process.stdout.write(`${r.way}: ${typeof r.error === 'string' ? r.error : JSON.stringify(r.error)}\n`);
  process.stdout.write(`\n${duration} s per call; CPU and PSS of the subject only (the Chromium row counts the browser's processes, not node/playwright).\n` +
    'The kiosk sends its 640x480 test pattern at 30 fps; Chromium\'s fake camera is 640x480 at 20 fps.\n');
}
process.exit(results.every((r) => r.skipped || (r.exit === 0)) ? 0 : 1);
