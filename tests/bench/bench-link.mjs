// bench-link.mjs — the kiosk and a browser in the booth's seat, behind the
// same emulated link, against the same advisor (issue 10, item 8).
//
// Run through tests/bench/run-bench-link.sh (it starts relais-link-run:
// this script is the center's command, with Janus and the advisor's
// Chromium; the subject runs in the booth's namespace through nsenter):
//
//   tests/bench/run-bench-link.sh [--duration S] [--rounds N]
//                                 [--profiles adsl,lossy,satellite,thin,cut]
//
// For each profile and round, the kiosk's `--test-call` and headless
// Chromium on the janus.js test page (tests/advisor/participant.mjs) take
// the booth's seat one after the other (the order alternates by round),
// each in a room of its own with a fresh advisor (participant.mjs in the
// center, publishing simulcast as the console does). Per run: the frames
// the ADVISOR decodes from the booth (the advisor is who must see the
// person), its freezes (Chromium's freezeCount) and the share of its audio
// concealed, the frames the booth decodes, and on `cut` the seconds from
// the link's return until media flowed both ways again (the link's own
// counters, 1 s samples). Prints one JSON line per run, then a table with
// the ratios kiosk/Chromium. Numbers only: nothing is asserted.
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const advisorDir = path.join(here, '..', 'advisor');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '1' },
    profiles: { type: 'string', default: 'adsl,lossy,satellite,thin,cut' },
    kiosk: { type: 'string', default: process.env.RELAIS_KIOSK || path.join(here, '..', '..', 'build', 'kiosk', 'relais-kiosk') },
  },
});
const duration = parseInt(args.duration, 10);
const rounds = parseInt(args.rounds, 10);
const profiles = args.profiles.split(',').filter(Boolean);
const env = (name) => {
  const v = process.env[name];
  if (!v) { process.stderr.write(`bench-link.mjs: ${name} is not set: run it through tests/bench/run-bench-link.sh\n`); process.exit(2); }
  return v;
};
const center = env('RELAIS_LINK_CENTER_ADDR');
const booth = env('RELAIS_LINK_BOOTH_ADDR');
const boothPid = env('RELAIS_LINK_BOOTH_PID');
const control = env('RELAIS_LINK_CONTROL');
const statsPath = env('RELAIS_LINK_STATS');
if (!fs.existsSync(args.kiosk)) { process.stderr.write(`relais-kiosk missing (${args.kiosk}): build it first\n`); process.exit(1); }

const { startJanus } = await import(path.join(advisorDir, 'janus-server.mjs'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const CUT_S = 10;
const MEDIA_BPS = 100000;

function start(cmd, argv) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const res = { child, out: '', err: '', code: null };
  child.stdout.on('data', (d) => { res.out += d; });
  child.stderr.on('data', (d) => { res.err += d; });
  res.exited = new Promise((r) => child.on('exit', (code) => { res.code = code ?? 128; r(res); }));
  return res;
}
const inBooth = (cmd, argv) => start('nsenter', ['-t', boothPid, '-n', '-m', `--wd=${process.cwd()}`, '--', cmd, ...argv]);
const jsonLines = (text) => text.split('\n').filter((l) => l.startsWith('{'))
  .map((l) => { try { return JSON.parse(l); } catch { return null; } }).filter(Boolean);

// ---------------------------------------------------------------- the link
function linkCommand(line) { fs.writeFileSync(control, line + '\n'); }
function readStats() {
  const out = {};
  let group = null;
  for (const line of fs.readFileSync(statsPath, 'utf8').split('\n')) {
    const g = line.match(/^\[(.+)\]$/);
    if (g) { group = g[1]; out[group] = {}; continue; }
    const kv = line.match(/^([^=]+)=(.*)$/);
    if (kv && group) out[group][kv[1]] = Number(kv[2]);
  }
  return out;
}
// The link's counters, rewritten on demand (a newer "elapsed" than @after).
async function linkStats(after) {
  linkCommand('stats');
  const end = Date.now() + 2000;
  while (Date.now() < end) {
    try { const s = readStats(); if (s.link && s.link.elapsed > after) return s; } catch { /* being written */ }
    await sleep(20);
  }
  return null;
}
const bothWays = (a, b) => {
  const dt = b.link.elapsed - a.link.elapsed;
  return dt > 0 && (b.up['forwarded-bytes'] - a.up['forwarded-bytes']) * 8 / dt > MEDIA_BPS
    && (b.down['forwarded-bytes'] - a.down['forwarded-bytes']) * 8 / dt > MEDIA_BPS;
};

// ---------------------------------------------------------------- the subjects
const subjects = {
  kiosk: {
    start: (url, room) => inBooth(args.kiosk, ['--test-call', '--janus', url, '--room', String(room),
      '--duration', String(duration), '--display', 'kiosk', '--ice-address', booth]),
    boothFrames: (s) => (jsonLines(s.out).pop() || {}).frames_received ?? null,
  },
  chromium: {
    start: (url, room) => inBooth(process.execPath, [path.join(advisorDir, 'participant.mjs'), '--janus', url,
      '--room', String(room), '--display', 'kiosk', '--duration', String(duration), '--expect-publishers', '1',
      '--no-create', '--bind', booth]),
    boothFrames: (s) => (jsonLines(s.out).find((x) => x.type === 'summary') || {}).framesDecoded ?? null,
  },
};

async function run(janus, profile, name) {
  const room = 300000 + Math.floor(Math.random() * 600000);
  const advisor = start(process.execPath, [path.join(advisorDir, 'participant.mjs'), '--janus', janus.url,
    '--room', String(room), '--display', 'advisor', '--duration', String(duration + 70),
    '--expect-publishers', '1', '--simulcast', '--bind', center]);
  // The advisor publishing first (the console is there before the person).
  const joinedBy = Date.now() + 40000;
  while (Date.now() < joinedBy && !jsonLines(advisor.out).some((j) => j.type === 'tick' && j.framesSent > 0)) {
    if (advisor.code !== null) break;
    await sleep(200);
  }
  const subject = subjects[name].start(janus.url, room);
  // One sample a second; on `cut`, the cut once media flowed both ways 3 s.
  const samples = [];
  let cutAt = null;
  let done = false;
  subject.exited.then(() => { done = true; });
  while (!done) {
    const s = await linkStats(samples.length ? samples[samples.length - 1].link.elapsed : -1);
    if (s) {
      s.at = Date.now();
      samples.push(s);
      const n = samples.length;
      if (profile === 'cut' && cutAt === null && n >= 4 &&
          [1, 2, 3].every((k) => bothWays(samples[n - 1 - k], samples[n - k]))) {
        linkCommand(`cut ${CUT_S}s`);
        cutAt = Date.now();
      }
    }
    await sleep(1000);
  }
  advisor.child.kill('SIGTERM');
  await advisor.exited;
  // RELAIS_BENCH_LOG=DIR keeps what the subject and its advisor printed.
  if (process.env.RELAIS_BENCH_LOG) {
    const base = path.join(process.env.RELAIS_BENCH_LOG, `${profile}-${name}-${Date.now()}`);
    fs.mkdirSync(process.env.RELAIS_BENCH_LOG, { recursive: true });
    fs.writeFileSync(base + '.out', subject.out);
    fs.writeFileSync(base + '.err', subject.err);
    fs.writeFileSync(base + '.advisor.out', advisor.out);
  }
  const ticks = jsonLines(advisor.out).filter((j) => (j.type === 'tick' || j.type === 'summary') && typeof j.framesDecoded === 'number');
  const adv = ticks.length ? ticks[ticks.length - 1] : {};
  let backS = null;
  if (cutAt !== null) {
    const returned = cutAt + CUT_S * 1000;
    for (let i = 1; i < samples.length && backS === null; i++)
      if (samples[i - 1].at >= returned && bothWays(samples[i - 1], samples[i])) backS = (samples[i].at - returned) / 1000;
  }
  return {
    profile, subject: name, exit: subject.code,
    advisorFrames: adv.framesDecoded ?? null,
    advisorFreezes: adv.freezeCount ?? null,
    advisorConcealedPct: adv.totalSamplesReceived ? +(100 * adv.concealedSamples / adv.totalSamplesReceived).toFixed(2) : null,
    boothFrames: subjects[name].boothFrames(subject),
    backAfterCutS: backS,
    ...(subject.code !== 0 ? { why: (subject.err.trim().split('\n').pop() || '').slice(0, 300) } : {}),
  };
}

const janus = await startJanus({ addr: center, sessionTimeout: 60 });
const results = [];
try {
  for (const profile of profiles) {
    linkCommand(`set profile=${profile}`);
    await sleep(500);
    for (let r = 0; r < rounds; r++) {
      for (const name of (r % 2 ? ['chromium', 'kiosk'] : ['kiosk', 'chromium'])) {
        const res = await run(janus, profile, name);
        results.push(res);
        process.stdout.write(JSON.stringify(res) + '\n');
      }
    }
  }
} finally {
  await janus.stop();
}

// The table: per profile, the sums over rounds, and kiosk/Chromium.
const sum = (rows, k) => rows.reduce((n, r) => n + (r[k] ?? 0), 0);
const mean = (rows, k) => { const v = rows.map((r) => r[k]).filter((x) => x !== null); return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null; };
const ratio = (a, b) => (b ? (a / b).toFixed(2) : (a ? '∞' : '—'));
const fmt = (x, d = 1) => (x === null || x === undefined ? '—' : Number(x).toFixed(d));
const lines = [
  `| profile | advisor frames kiosk / Chromium (ratio) | advisor freezes kiosk / Chromium | audio concealed % kiosk / Chromium | booth frames kiosk / Chromium | back after cut, s kiosk / Chromium |`,
  `|---|---|---|---|---|---|`,
];
for (const profile of profiles) {
  const k = results.filter((r) => r.profile === profile && r.subject === 'kiosk');
  const c = results.filter((r) => r.profile === profile && r.subject === 'chromium');
  lines.push(`| ${profile} | ${sum(k, 'advisorFrames')} / ${sum(c, 'advisorFrames')} (${ratio(sum(k, 'advisorFrames'), sum(c, 'advisorFrames'))}) `
    + `| ${sum(k, 'advisorFreezes')} / ${sum(c, 'advisorFreezes')} | ${fmt(mean(k, 'advisorConcealedPct'))} / ${fmt(mean(c, 'advisorConcealedPct'))} `
    + `| ${sum(k, 'boothFrames')} / ${sum(c, 'boothFrames')} | ${fmt(mean(k, 'backAfterCutS'))} / ${fmt(mean(c, 'backAfterCutS'))} |`);
}
process.stdout.write(`\n${rounds} round(s) of ${duration} s per subject and profile:\n${lines.join('\n')}\n`);
