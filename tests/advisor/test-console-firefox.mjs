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

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ok, note, done, sleep, until, startWatchdog, requireSession, kioskBinPath, janusJsPath,
  requireModule, requireFiles, requireKioskTools, consoleRoutes, startServer, startKiosk,
  logIndex, logSince, act, actionEnabled, busHas, writeKioskConfig, stopAll, screenshots,
  watchPeerConnections, consoleState, LOBBY_PIN, AGENT_PIN, SERVICE, SUBSERVICE,
} from './tap-harness.mjs';

const { values: args } = parseArgs({
  options: {
    screenshots: { type: 'string', default: process.env.RELAIS_CONSOLE_SCREENSHOTS },
    verbose: { type: 'boolean', short: 'v', default: false },
  },
});

const CHAT_TO_KIOSK = 'Bonjour depuis Firefox — é';
const CHAT_TO_CONSOLE = 'Bien reçu — à vous';
const firefoxBin = process.env.RELAIS_FIREFOX || '/usr/bin/firefox-esr';

startWatchdog(150);

requireSession();
const kioskBin = kioskBinPath();
requireModule('puppeteer-core');
const janusJs = janusJsPath();
requireFiles([kioskBin, firefoxBin, '/usr/bin/janus', janusJs], 'firefox-esr, janus, libjs-janus-gateway');
requireKioskTools();

const { startJanus } = await import('./janus-server.mjs');
const puppeteer = (await import('puppeteer-core')).default;
const addr = process.env.RELAIS_TEST_ADDR;
const shotDir = args.screenshots || await fsp.mkdtemp(path.join(os.tmpdir(), 'relais-console-shots-'));
fs.mkdirSync(shotDir, { recursive: true });
for (const f of fs.readdirSync(shotDir)) if (/^firefox-\d\d-.*\.png$/.test(f)) fs.rmSync(path.join(shotDir, f));
const { kioskShot, consoleShot } = screenshots(shotDir, 'firefox-', { noteErrors: true });

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
  // data channel open (watchPeerConnections, as test-console.mjs does).
  await page.evaluateOnNewDocument(watchPeerConnections);
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
  server = await startServer(consoleRoutes(janusJs, {}, { gateways: [janus.url] }), addr);
  const origin = `http://${addr}:${server.address().port}`;
  const consoleUrl = `${origin}/index.html?gateway=${encodeURIComponent(janus.url)}`;

  const configPath = writeKioskConfig(kioskBin, tmp, janus.url);

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

  kiosk = startKiosk(kioskBin, configPath, { G_MESSAGES_DEBUG: 'relais-application relais-session-record relais-presence relais-booth relais-lobby-link relais-room-link', RELAIS_TEST_TRACE: '1' }, args.verbose);
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
  await stopAll({ kiosk, browser, server, janus });
  await fsp.rm(tmp, { recursive: true, force: true }).catch(() => {});
}
measures.totalS = +((Date.now() - startedAt) / 1000).toFixed(1);
note(`screenshots: ${shotDir}`);
note(`MEASURE ${JSON.stringify(measures)}`);
done();
