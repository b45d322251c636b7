#!/usr/bin/env node
// bench-call.mjs — the same N-second 640x480 call, made three ways against a
// headless Chromium advisor (tests/advisor/participant.mjs) through a test
// Janus, one after the other, in one network namespace:
//
//   1. the kiosk's headless test call   (relais-kiosk --test-call)
//   2. the full kiosk window under Xvfb  (tests/integration/kiosk-window-drive)
//   3. headless Chromium in the kiosk's role (participant.mjs)
//
// For each: join → first remote frame, CPU seconds (utime+stime of the
// process tree, reaped children included, from /proc/<pid>/stat), peak PSS
// (smaps_rollup, summed over the tree), frames; then the kiosk/Chromium
// ratios. Not part of the test suite: run it through run-bench.sh, which
// makes the namespace.
//
//   tests/bench/run-bench.sh [--duration 60] [--kiosk build/kiosk/relais-kiosk]
//                            [--baseline OTHER/relais-kiosk [--baseline-window]] [--no-window] [--json]
//
// --baseline adds a row for another kiosk build (e.g. the one before a
// change), run in the same namespace, Janus and minute: on a noisy host the
// ratios of one run are worth more than absolute numbers of two.
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
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
    'baseline-window': { type: 'boolean', default: false },
    'no-window': { type: 'boolean', default: false },
    // GTK's renderer for the window rows (GSK_RENDERER): gl (GTK's default; Mesa's llvmpipe
    // under Xvfb, where there is no graphics chip) or cairo (software, no GL).
    'window-renderer': { type: 'string' },
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
// Joined AND publishing (a tick with frames sent): a subject joining
// before the advisor's own WebRTC is up would time the advisor's start-up
// (Chromium's publisher needs 1–2 s after its join), not its own.
async function waitJoined(p, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (jsonLines(p.out).some((j) => j.type === 'tick' && j.framesSent > 0)) return true;
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
  // RELAIS_BENCH_LOG=DIR keeps what each subject and its advisor printed.
  if (process.env.RELAIS_BENCH_LOG) {
    const base = path.join(process.env.RELAIS_BENCH_LOG, way.name.replace(/[^A-Za-z0-9]+/g, '-'));
    fs.mkdirSync(process.env.RELAIS_BENCH_LOG, { recursive: true });
    fs.writeFileSync(base + '.out', subject.out);
    fs.writeFileSync(base + '.err', subject.err);
    fs.writeFileSync(base + '.advisor.out', adv.out);
  }
  const r = way.result(subject);
  // The advisor is stopped early (no summary then): its last tick counts.
  // SIGTERM makes it close the browser under its own polling loop, which can
  // then print an 'exception' summary without counters: skip such lines.
  const advTicks = jsonLines(adv.out).filter((j) => (j.type === 'tick' || j.type === 'summary') &&
    typeof j.framesDecoded === 'number');
  const advLast = advTicks.length ? advTicks[advTicks.length - 1] : null;
  return { way: way.name, exit: subject.code, ...r, ...usage,
    advisorFramesDecoded: advLast ? advLast.framesDecoded : null,
    advisorFramesSent: advLast && typeof advLast.framesSent === 'number' ? advLast.framesSent : null };
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

// The window: the full kiosk (GTK, pages, self-view and remote video drawn)
// under Xvfb, driven through its GActions by kiosk-window-drive as an agent
// and a person would, with a gateway configured: its call goes to the
// service's lobby room, where the advisor is. Join → first frame is what
// the kiosk traces (RELAIS_TEST_TRACE=1: "first-remote-frame: N ms after
// the join request", the same instants as the test call's setup_ms); CPU
// and PSS are the relais-kiosk process's (not Xvfb's, not the script's).
const WINDOW_PIN = '246813';
function hashPin(binary) {
  const r = spawnSync(binary, ['--hash-pin'], { input: WINDOW_PIN + '\n', encoding: 'utf8' });
  const m = /pin-hash=(\S+)/.exec(r.stdout || '');
  if (!m) throw new Error('relais-kiosk --hash-pin failed: ' + (r.stderr || ''));
  return m[1];
}
function windowConfig(binary, url, room) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-window-'));
  const directory = { version: 1, services: [{ id: 'mairie', name: 'Mairie', letter: 'M', lobby_room: room,
    subservices: [{ id: 'etat-civil', name: 'État civil', channels: ['visio'] }] }] };
  fs.writeFileSync(path.join(dir, 'directory.json'), JSON.stringify(directory) + '\n');
  fs.writeFileSync(path.join(dir, 'kiosk.conf'),
    `[kiosk]\nsite-name=Bench\nlanguage=fr\nstore-path=${path.join(dir, 'relais.db')}\n` +
    `[agent]\npin-hash=${hashPin(binary)}\n[directory]\nfile=${path.join(dir, 'directory.json')}\n` +
    `[gateway]\njanus-url=${url}\ntest-only-plain-http=true\n`);
  return dir;
}
const windowWayFor = (binary, name) => ({
  name,
  start: (url, room) => {
    const dir = windowConfig(binary, url, room);
    const child = spawn('bash', [path.join(repo, 'tests', 'integration', 'kiosk-window-drive'), binary, path.join(dir, 'kiosk.conf')],
      { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, RELAIS_TEST_TRACE: '1', GTK_A11Y: 'none',
        ...(args['window-renderer'] ? { GSK_RENDERER: args['window-renderer'] } : {}) } });
    const res = { child, out: '', err: '', code: null, dir, seen: 0 };
    child.stdout.on('data', (d) => { res.out += d; });
    child.stderr.on('data', (d) => { res.err += d; });
    res.exited = new Promise((r) => child.on('exit', (code, sig) => { res.code = code ?? 128; res.signal = sig; r(res); }));
    res.drive = driveWindow(res);
    return res;
  },
  filter: (p) => p.comm === 'relais-kiosk',
  result: (s) => {
    fs.rmSync(s.dir, { recursive: true, force: true });
    return { joinToFirstFrameMs: s.firstFrameMs ?? null, error: s.driveError || null };
  },
});
// The next trace line holding @needle, after what was read already.
async function windowWaitFor(w, needle, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end && w.code === null) {
    const at = w.err.indexOf(needle, w.seen);
    if (at >= 0) {
      const eol = w.err.indexOf('\n', at);
      const line = w.err.slice(at, eol < 0 ? undefined : eol);
      w.seen = eol < 0 ? w.err.length : eol;
      return line;
    }
    await sleep(50);
  }
  throw new Error(`the window never said "${needle}"`);
}
async function driveWindow(w) {
  const act = async (step, needle) => {
    w.child.stdin.write(step + '\n');
    if (needle) await windowWaitFor(w, needle, 30000);
  };
  try {
    await windowWaitFor(w, 'kiosk-window-drive: kiosk pid', 30000);
    await act('act agent', 'relais-trace: page: unlock');
    await act(`act unlock '${WINDOW_PIN}'`, 'relais-trace: page: desk');
    await act("act new-ticket ('mairie', 'etat-civil', 'Bench', '')", 'relais-trace: notice: Ticket');
    await act('act call-next', 'relais-trace: page: your-turn');
    await act('act start-session', 'relais-trace: page: precall');
    await windowWaitFor(w, 'relais-trace: precall-network:', 30000);
    // The camera preview and its DTLS certificate, as a person would wait.
    await sleep(2000);
    await act('act start-call', 'relais-trace: page: call');
    const line = await windowWaitFor(w, 'relais-trace: first-remote-frame:', 60000);
    w.firstFrameMs = Number(/first-remote-frame: (-?\d+) ms/.exec(line)[1]);
    await sleep(duration * 1000);
    await act('act hang-up', 'relais-trace: page: call-ended');
    await act('act agent', 'relais-trace: page: unlock');
    await act(`act unlock '${WINDOW_PIN}'`, 'relais-trace: page: desk');
    await act('act quit');
  } catch (e) {
    w.driveError = String(e.message || e) + ' — ' + w.err.split('\n').filter((l) => /relais-trace|kiosk-window-drive|WARNING|CRITICAL/.test(l)).slice(-8).join(' | ');
    w.child.stdin.write('act quit\n');
  }
  w.child.stdin.end();
}
const windowName = `kiosk window (Xvfb, ${args['window-renderer'] || process.env.GSK_RENDERER || 'gl'})`;
const windowWay = windowWayFor(args.kiosk, windowName);

const janus = await startJanus({ addr, sessionTimeout: 60 });
const results = [];
try {
  process.stderr.write(`bench: ${duration} s calls, Janus at ${janus.url}\n`);
  process.stderr.write('bench: 1/3 kiosk --test-call…\n');
  results.push(await runWay(janus, kioskWay));
  if (args['no-window'])
    results.push({ way: windowName, skipped: true });
  else {
    process.stderr.write('bench: 2/3 kiosk window (Xvfb)…\n');
    results.push(await runWay(janus, windowWay));
  }
  process.stderr.write('bench: 3/3 headless Chromium…\n');
  results.push(await runWay(janus, chromiumWay));
  if (args.baseline) {
    process.stderr.write('bench: baseline kiosk --test-call…\n');
    results.push(await runWay(janus, kioskWayFor(args.baseline, 'baseline kiosk --test-call')));
    if (args['baseline-window']) {
      process.stderr.write('bench: baseline kiosk window…\n');
      results.push(await runWay(janus, windowWayFor(args.baseline, 'baseline ' + windowName)));
    }
  }
} finally {
  await janus.stop();
}

// Every subject against Chromium (results[2]), side by side.
const c = results[2];
const subjects = results.filter((r) => r !== c && !r.skipped);
const ratio = (a, b) => (typeof a === 'number' && typeof b === 'number' && b > 0 ? +(a / b).toFixed(2) : null);
// Frames the subject sent (the advisor decoded them, for the window) and received
// (the window does not count them: the advisor's frames sent stand in).
const framesSentOf = (r) => (typeof r.framesSent === 'number' ? r.framesSent : r.advisorFramesDecoded);
const framesReceivedOf = (r) => (typeof r.framesReceived === 'number' ? r.framesReceived : r.advisorFramesSent);
const perFrame = (r) => {
  const n = (framesSentOf(r) || 0) + (framesReceivedOf(r) || 0);
  return n > 0 && typeof r.cpuSeconds === 'number' ? r.cpuSeconds * 1000 / n : null;
};
const fpsSent = (r) => (typeof r.framesSent === 'number' && r.wallSeconds > 0 ? r.framesSent / duration : null);
for (const r of subjects) {
  r.ratios = {
    joinToFirstFrame: ratio(r.joinToFirstFrameMs, c.joinToFirstFrameMs),
    cpuSeconds: ratio(r.cpuSeconds, c.cpuSeconds),
    peakPss: ratio(r.peakPssKiB, c.peakPssKiB),
    perFrame: ratio(perFrame(r), perFrame(c)),
  };
}

if (args.json) {
  process.stdout.write(JSON.stringify({ duration, results }) + '\n');
} else {
  const fmt = (v, d = 0) => (v === null || v === undefined ? '—' : typeof v === 'number' ? v.toFixed(d) : String(v));
  const pct = (r) => (r.wallSeconds > 0 ? fmt(r.cpuSeconds / r.wallSeconds * 100, 1) : '—');
  const short = (r) => r.way.replace(' (headless)', '').replace(' (participant.mjs)', '');
  const table = [
    ['join → first frame (ms)', (r) => fmt(r.joinToFirstFrameMs), 'joinToFirstFrame'],
    ['CPU (s)', (r) => fmt(r.cpuSeconds, 1), 'cpuSeconds'],
    ['CPU (% of one core)', pct],
    // The kiosk sends 30 fps, Chromium's fake camera 20: CPU per picture
    // encoded or decoded (frames sent + advisor's frames received by us).
    ['CPU per frame sent+received (ms)', (r) => fmt(perFrame(r), 2), 'perFrame'],
    ['peak PSS (MiB)', (r) => fmt(r.peakPssKiB / 1024, 1), 'peakPss'],
    ['processes', (r) => fmt(r.processes)],
    ['frames sent', (r) => fmt(r.framesSent)],
    ['fps sent (frames / duration)', (r) => fmt(fpsSent(r), 1)],
    ['frames received', (r) => fmt(r.framesReceived)],
    ['advisor decoded', (r) => fmt(r.advisorFramesDecoded)],
    ['wall (s)', (r) => fmt(r.wallSeconds, 1)],
    ['exit status', (r) => fmt(r.exit)],
  ];
  const rows = [['', ...subjects.map(short), short(c), ...subjects.map((r) => `${short(r)} / Chromium`)]];
  for (const [label, f, key] of table)
    rows.push([label, ...subjects.map(f), f(c), ...subjects.map((r) => (key ? fmt(r.ratios[key], 2) : ''))]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  for (const r of rows) process.stdout.write(r.map((v, i) => String(v).padEnd(widths[i])).join('  ') + '\n');
  for (const r of results) if (r.error) process.stdout.write(`${r.way}: ${typeof r.error === 'string' ? r.error : JSON.stringify(r.error)}\n`);
  process.stdout.write(`\n${duration} s per call. CPU and PSS of the subject only: the kiosk process (not Xvfb for the window), ` +
    'the browser\'s processes for Chromium (not node/playwright). Join → first frame: join request → first remote frame decoded.\n' +
    'The kiosk sends its 640x480 test pattern at 30 fps; Chromium\'s fake camera is 640x480 at 20 fps.\n');
}
process.exit(results.every((r) => r.skipped || (r.exit === 0 && !r.error)) ? 0 : 1);
