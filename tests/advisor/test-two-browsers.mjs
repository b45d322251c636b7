#!/usr/bin/env node
// test-two-browsers.mjs — proves the advisor harness (TAP output).
//
// Inside the test network namespace (tests/integration/relais-netns-run):
// starts a test Janus, then two headless Chromium participants in one
// VideoRoom room: "advisor" first (already waiting, as at a service), then
// "kiosk" (Chromium in the kiosk's role). Asserts that each decodes the
// other's video and that a chat line crosses each way over the data channel,
// and reports join → first frame, CPU seconds and PSS of each Chromium: the
// reference figures for the native kiosk.
//
//   relais-netns-run node tests/advisor/test-two-browsers.mjs [--results FILE.json]
//                                                             [--screenshots DIR]
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { ok, note, bail, done, startWatchdog } from './tap-harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    results: { type: 'string', default: process.env.RELAIS_ADVISOR_RESULTS },
    screenshots: { type: 'string' },
    room: { type: 'string', default: String(4000 + (process.pid % 1000)) },
    // The advisor outlasts the kiosk (which starts once the advisor has
    // joined and needs ~1.5 s to launch, much more on a loaded machine:
    // the advisor then stays until the kiosk has come and gone), so each
    // sees the other to the end.
    'advisor-duration': { type: 'string', default: '14' },
    'kiosk-duration': { type: 'string', default: '10' },
    bitrate: { type: 'string', default: '0' },   // the created room's cap (REMB), 0 = none
    verbose: { type: 'boolean', short: 'v', default: false },
  },
});

startWatchdog(90);

// ---- preconditions: say plainly what is missing.
if (!process.env.RELAIS_TEST_ADDR) bail('RELAIS_TEST_ADDR unset: run me through tests/integration/relais-netns-run');
try {
  createRequire(import.meta.url).resolve('playwright-core');
} catch {
  bail(`playwright-core is not installed: run 'npm ci --prefix ${path.relative(process.cwd(), here) || '.'}'`);
}
for (const f of [process.env.RELAIS_CHROMIUM || '/usr/bin/chromium', process.env.RELAIS_JANUS || '/usr/bin/janus',
  path.join(process.env.RELAIS_JANUS_JS_DIR || '/usr/share/javascript/janus-gateway', 'janus.js')]) {
  if (!fs.existsSync(f)) bail(`${f} is missing (Debian packages: chromium, janus, libjs-janus-gateway)`);
}

const { startJanus } = await import('./janus-server.mjs');

function participant(display, other, duration) {
  const argv = [path.join(here, 'participant.mjs'),
    '--room', args.room, '--display', display, '--duration', duration,
    '--send-chat', `bonjour de ${display} — é`, '--expect-chat', `bonjour de ${other} — é`,
    '--expect-publishers', '1', '--bitrate', args.bitrate];
  if (display === 'advisor') argv.push('--stay-until-left');
  if (args.screenshots) argv.push('--screenshot', path.join(args.screenshots, `${display}.png`));
  if (args.verbose) argv.push('--verbose');
  return argv;
}

function run(argv, janusUrl, onLine) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...argv, '--janus', janusUrl], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    const lines = [];
    child.stdout.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        try {
          const obj = JSON.parse(line);
          lines.push(obj);
          onLine?.(obj);
        } catch {
          note(`unparsable output: ${line}`);
        }
      }
    });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code, signal) => resolve({ code, signal, lines, summary: lines.findLast((l) => l.type === 'summary') }));
  });
}

console.log('TAP version 13');
const t0 = Date.now();
let janus;
try {
  // RELAIS_KEEP_JANUS=1 keeps Janus's directory (configuration, janus.log).
  janus = await startJanus({ addr: process.env.RELAIS_TEST_ADDR, keepDir: process.env.RELAIS_KEEP_JANUS === '1' });
  ok(true, `janus ${janus.version} answers on ${janus.url} (${janus.startMs} ms)`);
  note(`janus configuration: ${janus.configSource}; log: ${janus.log}`);
} catch (e) {
  ok(false, `janus starts: ${e.message}`);
  bail('no Janus');
}

let results;
try {
  // The advisor waits in the room; the kiosk joins once it is there.
  let advisorJoined;
  const joined = new Promise((r) => { advisorJoined = r; });
  const advisor = run(participant('advisor', 'kiosk', args['advisor-duration']), janus.url,
    (l) => { if (l.type === 'joined' || l.type === 'summary') advisorJoined(); });
  await joined;
  const kiosk = run(participant('kiosk', 'advisor', args['kiosk-duration']), janus.url);
  results = { advisor: await advisor, kiosk: await kiosk };
} finally {
  await janus.stop();
}

for (const [who, other] of [['advisor', 'kiosk'], ['kiosk', 'advisor']]) {
  const r = results[who];
  const s = r.summary;
  if (!ok(s !== undefined, `${who}: participant ran to the end (exit ${r.code}${r.signal ? ', ' + r.signal : ''})`)) continue;
  const feed = Object.values(s.feeds || {}).find((f) => f.display === other);
  ok(feed && feed.framesDecoded > 0, `${who} decoded ${feed ? feed.framesDecoded : 0} frames from ${other}`
    + (s.remoteVideo ? ` (${s.remoteVideo.width}x${s.remoteVideo.height})` : ''));
  ok(s.framesSent > 0, `${who} sent ${s.framesSent} frames`);
  ok((s.chatReceived || []).some((c) => c.from === other && c.text === `bonjour de ${other} — é`),
    `${who} received the chat line of ${other} (${(s.chatReceived || []).length} received)`);
  ok((s.errors || []).length === 0, `${who}: no page error` + ((s.errors || []).length ? `: ${s.errors.map((e) => e.text).join('; ')}` : ''));
  ok(r.code === 0, `${who}: participant exit status 0` + (s.problems && s.problems.length ? ` (${s.problems.join('; ')})` : ''));
}

// ---- figures for the benchmark.
const figures = {};
for (const who of ['advisor', 'kiosk']) {
  const s = results[who].summary;
  if (!s) continue;
  figures[who] = {
    chromium: s.chromium,
    joinRequestToFirstRemoteFrameMs: s.timingMs.joinRequestToFirstRemoteFrame,
    subscribeToFirstFrameMs: s.timingMs.subscribeToFirstFrame,
    joinRequestToJoinedMs: s.timingMs.joinRequestToJoined,
    launchMs: s.timingMs.launch,
    cpuSeconds: s.usage.cpuSeconds,
    steadyCpuPercent: s.usage.steadyCpuPercent,
    steadySeconds: s.usage.steadySeconds,
    pssMiB: +(s.usage.pssKiB / 1024).toFixed(1),
    peakPssMiB: +(s.usage.peakPssKiB / 1024).toFixed(1),
    processes: s.usage.processes,
    remoteVideo: s.remoteVideo,
    framesDecoded: s.framesDecoded,
  };
}
note(`figures (Chromium ${figures.kiosk?.chromium ?? '?'}, fake 640x480 camera, VP8/Opus through Janus, ${Date.now() - t0} ms total):`);
for (const [who, f] of Object.entries(figures)) {
  note(`  ${who.padEnd(7)} join→first frame ${f.joinRequestToFirstRemoteFrameMs} ms`
    + ` (subscribe→first frame ${JSON.stringify(f.subscribeToFirstFrameMs)}), launch ${f.launchMs} ms,`
    + ` CPU ${f.cpuSeconds} s total / ${f.steadyCpuPercent} % of a core in call over ${f.steadySeconds} s,`
    + ` PSS ${f.pssMiB} MiB (peak ${f.peakPssMiB} MiB, ${f.processes} processes)`);
}
if (args.results) {
  fs.writeFileSync(args.results, JSON.stringify({ when: new Date().toISOString(), figures, summaries: {
    advisor: results.advisor.summary, kiosk: results.kiosk.summary } }, null, 2) + '\n');
  note(`results written to ${args.results}`);
}
done();
