#!/usr/bin/env node
// test-console-firefox.mjs — the advisor console (data/advisor/) in
// Debian's Firefox ESR, headless, against a real Janus and the real kiosk
// WINDOW (TAP output). Issue 4 promises the console works in a current
// Chromium AND Firefox with no install: test-console.mjs covers Chromium,
// this covers Firefox (puppeteer-core over WebDriver BiDi: it drives the
// stock browser, and never downloads one).
//
// Inside the test network namespace, a display and a session bus:
//   relais-netns-run dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" \
//     node tests/advisor/test-console-firefox.mjs [--screenshots DIR]
//
// The advisor signs in; the kiosk's agent gives a ticket and presses
// "call now", the person starts the call; the kiosk appears in the
// console's list; the advisor takes it; each side decodes the other's
// video; a chat line each way; the outcome "Résolu" reaches the kiosk.
//
// Environment: RELAIS_KIOSK (the relais-kiosk binary), RELAIS_TEST_ADDR
// (relais-netns-run sets it), DISPLAY and DBUS_SESSION_BUS_ADDRESS;
// RELAIS_FIREFOX (default /usr/bin/firefox-esr).
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const { values: args } = parseArgs({
  options: {
    screenshots: { type: 'string', default: process.env.RELAIS_CONSOLE_SCREENSHOTS },
    verbose: { type: 'boolean', short: 'v', default: false },
  },
});

const LOBBY_PIN = 'relais-test-lobby';   // tests/integration/janus/janus.plugin.videoroom.jcfg.in
const AGENT_PIN = '1234';
const SERVICE = 'caf';
const SUBSERVICE = 'prime-activite';
const CHAT_TO_KIOSK = 'Bonjour depuis Firefox — é';
const CHAT_TO_CONSOLE = 'Bien reçu — à vous';
const APP = 'org.relais.Kiosk';
const firefoxBin = process.env.RELAIS_FIREFOX || '/usr/bin/firefox-esr';

let n = 0;
let failed = 0;
const ok = (cond, what) => {
  n += 1;
  if (!cond) failed += 1;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
  return cond;
};
const note = (text) => { for (const l of String(text).split('\n')) console.log(`# ${l}`); };
const bail = (why) => { console.log(`Bail out! ${why}`); process.exit(1); };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(fn, timeoutMs, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(stepMs);
  }
}

const watchdog = setTimeout(() => bail('watchdog: test took more than 150 s'), 150000);
watchdog.unref();

// ---- preconditions: say plainly what is missing.
if (!process.env.RELAIS_TEST_ADDR) bail('RELAIS_TEST_ADDR unset: run me through tests/integration/relais-netns-run');
if (!process.env.DISPLAY) bail('DISPLAY unset: run me under xvfb-run (Debian package xvfb)');
if (!process.env.DBUS_SESSION_BUS_ADDRESS) bail('no session bus: run me under dbus-run-session (Debian package dbus)');
const kioskBin = process.env.RELAIS_KIOSK || path.join(root, 'build', 'kiosk', 'relais-kiosk');
try {
  createRequire(import.meta.url).resolve('puppeteer-core');
} catch {
  bail("puppeteer-core is not installed: run 'npm ci --prefix tests/advisor'");
}
const janusJs = path.join(process.env.RELAIS_JANUS_JS_DIR || '/usr/share/javascript/janus-gateway', 'janus.js');
for (const f of [kioskBin, firefoxBin, '/usr/bin/janus', janusJs]) {
  if (!fs.existsSync(f)) bail(`${f} is missing (build the kiosk; Debian packages firefox-esr, janus, libjs-janus-gateway)`);
}
for (const tool of ['gapplication', 'gdbus', 'import']) {
  if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) bail(`'${tool}' is missing (Debian packages libglib2.0-bin, imagemagick)`);
}

const { startJanus } = await import('./janus-server.mjs');
const puppeteer = (await import('puppeteer-core')).default;
const addr = process.env.RELAIS_TEST_ADDR;
const shotDir = args.screenshots || await fsp.mkdtemp(path.join(os.tmpdir(), 'relais-console-shots-'));
fs.mkdirSync(shotDir, { recursive: true });
for (const f of fs.readdirSync(shotDir)) if (/^firefox-\d\d-.*\.png$/.test(f)) fs.rmSync(path.join(shotDir, f));

// ---------------------------------------------------------------- the console's server
const routes = {
  '/index.html': [path.join(root, 'data', 'advisor', 'index.html'), 'text/html; charset=utf-8'],
  '/console.js': [path.join(root, 'data', 'advisor', 'console.js'), 'text/javascript; charset=utf-8'],
  '/console.css': [path.join(root, 'data', 'advisor', 'console.css'), 'text/css; charset=utf-8'],
  '/favicon.ico': [path.join(root, 'data', 'icons', 'hicolor', 'scalable', 'apps', 'org.relais.Kiosk.svg'), 'image/svg+xml'],
  '/directory.json': [path.join(root, 'data', 'directory.sample.json'), 'application/json'],
  '/javascript/janus-gateway/janus.js': [janusJs, 'text/javascript; charset=utf-8'],
};
routes['/'] = routes['/index.html'];
function startServer() {
  const server = http.createServer((req, res) => {
    const route = routes[new URL(req.url, 'http://x').pathname];
    if (req.method !== 'GET' || !route) { res.writeHead(404); res.end(); return; }
    fs.readFile(route[0], (err, body) => {
      if (err) { res.writeHead(500); res.end(); return; }
      res.writeHead(200, { 'Content-Type': route[1], 'Cache-Control': 'no-store' });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, addr, () => resolve(server)));
}

// ---------------------------------------------------------------- the kiosk
const kioskLog = [];
function startKiosk(configPath) {
  const child = spawn(kioskBin, ['--config', configPath], {
    env: { ...process.env, G_MESSAGES_DEBUG: 'relais-application relais-presence', RELAIS_TEST_TRACE: '1', GTK_A11Y: 'none', LANGUAGE: 'fr' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (d) => {
    for (const line of String(d).split('\n')) {
      if (!line) continue;
      kioskLog.push({ at: Date.now(), line });
      if (args.verbose) process.stderr.write(`[kiosk] ${line}\n`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return child;
}
const logIndex = () => kioskLog.length;
const logSince = (i, text) => kioskLog.slice(i).find((l) => l.line.includes(text));
const act = (name, param) => {
  const argv = ['action', APP, name];
  if (param !== undefined) argv.push(param);
  const r = spawnSync('gapplication', argv, { encoding: 'utf8' });
  if (r.status !== 0) note(`gapplication ${name} failed: ${r.stderr}`);
  return r.status === 0;
};
const busHas = () => /true/.test(spawnSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus',
  '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', APP], { encoding: 'utf8' }).stdout || '');
const actionEnabled = (name) => /^\(\(true,/.test(spawnSync('gdbus', ['call', '--session', '--dest', APP,
  '--object-path', '/org/relais/Kiosk', '--method', 'org.gtk.Actions.Describe', name], { encoding: 'utf8' }).stdout || '');
let shotN = 0;
function kioskShot(name) {
  const file = path.join(shotDir, `firefox-${String(++shotN).padStart(2, '0')}-kiosk-${name}.png`);
  spawnSync('import', ['-window', 'root', file]);
  return file;
}
async function consoleShot(page, name) {
  const file = path.join(shotDir, `firefox-${String(++shotN).padStart(2, '0')}-console-${name}.png`);
  await page.screenshot({ path: file }).catch((e) => note(`screenshot ${name}: ${e.message}`));
  return file;
}

// ---------------------------------------------------------------- Firefox
// Fake camera and microphone without asking; the console's plain-HTTP
// test origin treated as secure (as Chromium's
// --unsafely-treat-insecure-origin-as-secure: the console needs
// crypto.subtle and getUserMedia, which only a secure context has; a real
// console is served over HTTPS); autoplay allowed; host candidates
// shown as they are (no mDNS names: nothing in the namespace resolves
// them); nothing that would reach out (the namespace has no route anyway).
const firefoxPrefs = (addr) => ({
  'dom.securecontext.allowlist': addr,
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.devices.insecure.enabled': true,
  'media.getusermedia.insecure.enabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  'network.dns.disableIPv6': true,
  'app.update.enabled': false,
  'browser.safebrowsing.malware.enabled': false,
  'browser.safebrowsing.phishing.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
});

async function openConsole(browser, consoleUrl, name) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  // dataOpen is true once EITHER data channel opens: before the kiosk
  // writes, wait for a peer connection that receives video and has its
  // data channel open (as test-console.mjs does).
  await page.evaluateOnNewDocument(() => {
    const Original = window.RTCPeerConnection;
    const pcs = [];
    window.RTCPeerConnection = class extends Original {
      constructor(...a) {
        super(...a);
        pcs.push(this);
        this.addEventListener('track', (e) => { if (e.track.kind === 'video') this.relaisVideo = true; });
        this.addEventListener('datachannel', (e) => e.channel.addEventListener('open', () => { this.relaisData = true; }));
      }
      createDataChannel(...a) {
        const channel = super.createDataChannel(...a);
        channel.addEventListener('open', () => { this.relaisData = true; });
        return channel;
      }
    };
    window.relaisReceivingDataOpen = () => pcs.some((pc) => pc.signalingState !== 'closed' && pc.relaisVideo && pc.relaisData);
  });
  page.on('pageerror', (e) => note(`[${name}] page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || args.verbose) note(`[${name}] console.${m.type()}: ${m.text()}`); });
  await page.goto(consoleUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => window.relaisConsole && window.relaisConsole.ready, { timeout: 10000 });
  await page.select('#service', SERVICE);
  await page.type('#name', name);
  await page.type('#pin', LOBBY_PIN);
  await page.click('#signin-button');
  await page.waitForFunction(() => window.relaisConsole.phase === 'queue' || window.relaisConsole.lastError, { timeout: 15000 });
  return page;
}
const consoleState = (page) => page.evaluate(() => ({
  phase: window.relaisConsole.phase,
  waiting: window.relaisConsole.waiting(),
  framesDecoded: window.relaisConsole.framesDecoded,
  chat: window.relaisConsole.chat,
  lastError: window.relaisConsole.lastError,
  takeToFirstFrame: window.relaisConsole.firstFrameAt !== null ? window.relaisConsole.firstFrameAt - window.relaisConsole.takeRequestedAt : null,
}));
// What the <video> itself presents, not only what WebRTC decoded: frames
// counted by requestVideoFrameCallback over a second (Firefox's
// getVideoPlaybackQuality() counts nothing for a MediaStream source).
const videoPainted = (page) => page.evaluate(() => new Promise((resolve) => {
  const v = document.getElementById('remote');
  if (!v || !v.requestVideoFrameCallback) { resolve({ frames: 0, width: 0, height: 0, why: 'no requestVideoFrameCallback' }); return; }
  let frames = 0;
  const tick = () => { frames += 1; v.requestVideoFrameCallback(tick); };
  v.requestVideoFrameCallback(tick);
  setTimeout(() => resolve({ frames, width: v.videoWidth, height: v.videoHeight }), 1000);
}));

// ---------------------------------------------------------------- the run
console.log('TAP version 13');
let janus;
let server;
let browser;
let kiosk;
const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'relais-console-ff-'));
const measures = {};
const startedAt = Date.now();
try {
  janus = await startJanus({ addr, keepDir: process.env.RELAIS_KEEP_JANUS === '1' });
  ok(true, `janus ${janus.version} on ${janus.url}`);
  server = await startServer();
  const origin = `http://${addr}:${server.address().port}`;
  const consoleUrl = `${origin}/index.html?gateway=${encodeURIComponent(janus.url)}`;

  const hash = spawnSync(kioskBin, ['--hash-pin'], { input: AGENT_PIN + '\n', encoding: 'utf8' }).stdout.match(/pin-hash=(\S+)/);
  if (!hash) bail('relais-kiosk --hash-pin printed no pin-hash line');
  const configPath = path.join(tmp, 'kiosk.conf');
  fs.writeFileSync(configPath, `[kiosk]\nsite-name=Mairie de Testville\nlanguage=fr\nstore-path=${path.join(tmp, 'relais.db')}\n`
    + `[agent]\npin-hash=${hash[1]}\nidle-lock-seconds=3600\n`
    + `[gateway]\njanus-url=${janus.url}\nlobby-pin=${LOBBY_PIN}\n`);

  const launchedAt = Date.now();
  browser = await puppeteer.launch({
    browser: 'firefox', executablePath: firefoxBin, headless: true,
    userDataDir: path.join(tmp, 'firefox-profile'), extraPrefsFirefox: firefoxPrefs(addr),
  });
  const version = await browser.version();
  ok(/firefox/i.test(version), `Firefox starts headless (${version}, ${Date.now() - launchedAt} ms)`);

  // ---- the advisor signs in.
  const page = await openConsole(browser, consoleUrl, 'Mme Alice, CAF');
  let s = await consoleState(page);
  ok(s.phase === 'queue', `the advisor signs in in Firefox and sees the waiting line (${s.phase}${s.lastError ? ': ' + s.lastError : ''})`);
  await consoleShot(page, 'signed-in');

  kiosk = startKiosk(configPath);
  ok(await until(() => busHas(), 20000) !== null, 'the kiosk window starts and takes its bus name');
  ok(await until(() => logSince(0, 'Lobby 5002: 1 advisor(s) ready'), 15000) !== null, 'the kiosk sees the Firefox advisor ready in the CAF lobby');

  // ---- the person: a ticket, call now, start the call.
  act('agent');
  await sleep(300);
  act('unlock', `'${AGENT_PIN}'`);
  ok(await until(() => actionEnabled('new-ticket'), 15000, 200) !== null, 'the agent unlocks the desk');
  ok(act('new-ticket', `('${SERVICE}', '${SUBSERVICE}', 'Personne Test', '')`), 'a ticket for CAF');
  await until(() => actionEnabled('call-now'), 10000, 200);
  const calledAt = Date.now();
  ok(act('call-now', 'int64 1'), 'call now (ticket 1)');
  await sleep(3000);
  ok(await until(() => actionEnabled('start-call'), 15000, 250) !== null, 'the pre-call check is ready (start-call enabled)');
  const j = logIndex();
  ok(act('start-call'), 'the person starts the call');
  ok(await until(() => logSince(j, 'announcing in the lobby'), 15000) !== null, 'the kiosk announces itself in the lobby');

  const seen = await until(async () => (await consoleState(page)).waiting.find((k) => k.ticket === 'C1'), 15000);
  measures.callNowToListedMs = Date.now() - calledAt;
  ok(seen && seen.site === 'Mairie de Testville' && seen.subservice === SUBSERVICE,
    `the Firefox console lists the kiosk waiting: ticket C1, ${SUBSERVICE}, Mairie de Testville (${measures.callNowToListedMs} ms after call now)`);
  await consoleShot(page, 'kiosk-waiting');

  // ---- take: video both ways.
  const i = logIndex();
  const takeAt = Date.now();
  await page.click('tr[data-ticket="C1"] button.take');
  const video = await until(async () => { const st = await consoleState(page); return st.framesDecoded > 0 ? st : null; }, 20000);
  measures.takeToConsoleVideoMs = video ? Date.now() - takeAt : null;
  ok(video !== null, `Firefox decodes the kiosk's video (${video ? video.framesDecoded : 0} frames, take → first frame ${video && video.takeToFirstFrame !== null ? Math.round(video.takeToFirstFrame) : '?'} ms)`);
  const painted = await until(async () => { const p = await videoPainted(page); return p.frames > 0 && p.width > 0 ? p : null; }, 10000);
  ok(painted !== null, `the console's <video> shows it (${painted ? `${painted.frames} frames in 1 s, ${painted.width}×${painted.height}` : 'nothing painted'})`);
  ok(await until(() => logSince(i, 'taken by an advisor'), 10000) !== null, 'the kiosk knows it was taken');
  const kioskFrame = await until(() => logSince(i, 'first remote frame'), 20000);
  measures.takeToKioskVideoMs = kioskFrame ? kioskFrame.at - takeAt : null;
  ok(kioskFrame !== null, `the kiosk decodes Firefox's video (take → first frame ${measures.takeToKioskVideoMs} ms)`);
  await sleep(1500);
  await consoleShot(page, 'in-call');
  kioskShot('in-call');

  // ---- chat both ways.
  await until(async () => page.evaluate(() => window.relaisConsole.dataOpen), 5000);
  ok(await until(async () => page.evaluate(() => window.relaisReceivingDataOpen()), 8000) !== null,
    'the subscription to the kiosk has its data channel open');
  await sleep(1000);
  const c = logIndex();
  await page.type('#chat-input', CHAT_TO_KIOSK);
  await page.click('#chat-form button');
  ok(await until(() => logSince(c, 'Chat line received'), 8000) !== null, 'a chat line from Firefox reaches the kiosk');
  act('send-chat', `'${CHAT_TO_CONSOLE}'`);
  const got = await until(async () => (await consoleState(page)).chat.find((m) => m.from === 'them' && m.text === CHAT_TO_CONSOLE), 8000);
  ok(got !== null && got !== undefined, 'a chat line from the kiosk reaches Firefox');
  await sleep(500);
  await consoleShot(page, 'chat');

  // ---- the outcome.
  const e = logIndex();
  await page.click('#outcomes button[data-outcome="resolved"]');
  ok(await until(() => logSince(e, 'Call outcome: resolved'), 8000) !== null, 'the kiosk receives the outcome "resolved"');
  ok(await until(async () => (await consoleState(page)).phase === 'queue', 8000) !== null, 'the Firefox console is back on the waiting line');
  await sleep(1000);
  await consoleShot(page, 'after-call');
  s = await consoleState(page);
  ok(!s.waiting.some((k) => k.ticket === 'C1'), 'the kiosk taken is no longer on the list');
} catch (e) {
  ok(false, `unexpected: ${e.stack || e}`);
} finally {
  if (failed) {
    note(`kiosk: exit ${kiosk ? kiosk.exitCode : '?'} signal ${kiosk ? kiosk.signalCode : '?'}; its last lines:`);
    for (const l of kioskLog.slice(-40)) note(`  ${l.line}`);
  }
  if (kiosk && kiosk.exitCode === null) kiosk.kill('SIGKILL');
  if (browser) await browser.close().catch(() => {});
  if (server) server.close();
  if (janus) await janus.stop();
  await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
}
measures.totalS = +((Date.now() - startedAt) / 1000).toFixed(1);
note(`screenshots: ${shotDir}`);
note(`MEASURE ${JSON.stringify(measures)}`);
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
