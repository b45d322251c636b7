#!/usr/bin/env node
// test-console-guards.mjs — what the advisor console (data/advisor/) must
// not be talked into, in headless Chromium against a real Janus (TAP output).
// No kiosk window: the kiosks are stand-ins that speak the protocol —
// presence in the lobby from node (the Janus HTTP API), and a session room
// publisher in a Chromium page (tests/advisor/pages/videoroom.html).
//
//   relais-netns-run node tests/advisor/test-console-guards.mjs [--verbose]
//
// 1. gateway: a link's ?gateway= that is not the deployment's (its origin,
//    or console.json's list) is not used, nothing reaches it (the "decoy",
//    a relay to the real Janus that notes every request and whether the
//    lobby pin crossed it), and it is never saved for the next sign-in; an
//    address typed in "Réglages du serveur" is held to the same list.
// 2. order: three kiosks come one after the other, the second with a clock
//    an hour slow, the third an hour fast: the line is in the order they
//    came, on a console that watched them come and on one that signed in
//    after them; the slow one does not show an hour of waiting.
// 3. kick race: in the session room, a second publisher that is not the
//    kiosk (an advisor's tag, another room's kiosk tag), there before the
//    take or coming after it, then leaving: the console keeps its call
//    (only the publisher with this room's kiosk tag is followed).
// 4. chat: 230 lines from the kiosk: the console keeps the last 200 and
//    says how many older ones it let go.
// 5. link: the kiosk says it sends sound only ("link", video false): the
//    console says so over the picture, not in the chat, until video true.
//
// Environment: RELAIS_TEST_ADDR (relais-netns-run sets it).
//
// SPDX-License-Identifier: GPL-2.0-or-later

import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  root, ok, note, bail, done, sleep, until, startWatchdog, janusJsPath, requireModule, requireFiles,
  consoleRoutes, startServer, stopAll, chromiumArgs, consoleState, openChromiumConsole,
  LOBBY_PIN, SERVICE, SUBSERVICE,
} from './tap-harness.mjs';

const { values: args } = parseArgs({ options: { verbose: { type: 'boolean', short: 'v', default: false } } });

const LOBBY = 5002;                 // CAF, data/directory.sample.json
const SITE = 'Mairie de Testville';
const BEAT_MS = 5000;               // the kiosk's heartbeat (PROTOCOL.md, section 3)

startWatchdog(240);
if (!process.env.RELAIS_TEST_ADDR) bail('RELAIS_TEST_ADDR unset: run me through tests/integration/relais-netns-run');
requireModule('playwright-core');
const janusJs = janusJsPath();
requireFiles([process.env.RELAIS_CHROMIUM || '/usr/bin/chromium', '/usr/bin/janus', janusJs], 'chromium, janus, libjs-janus-gateway');

const { startJanus } = await import('./janus-server.mjs');
const { chromium } = await import('playwright-core');
const addr = process.env.RELAIS_TEST_ADDR;

const kioskTag = (ticket, arrived, room, beat) =>
  `relais1 kiosk ${ticket} ${SUBSERVICE} ${encodeURIComponent(SITE)} ${arrived} ${room} ${beat}`;

// ---------------------------------------------------------------- a kiosk in the lobby, from node
// Joins the lobby with its tag (never publishing) and beats every BEAT_MS,
// as common/janus/relais-presence.c does.
async function lobbyKiosk(janusUrl, ticket, arrived, room) {
  const tx = () => crypto.randomBytes(6).toString('hex');
  const post = async (url, body) => (await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, transaction: tx() }) })).json();
  const s = await post(janusUrl, { janus: 'create' });
  const session = `${janusUrl}/${s.data.id}`;
  const h = await post(session, { janus: 'attach', plugin: 'janus.plugin.videoroom' });
  const handle = `${session}/${h.data.id}`;
  const events = [];
  const abort = new AbortController();
  (async () => {        // the long poll: keeps the session alive, drains its events
    while (!abort.signal.aborted) {
      try {
        const r = await fetch(`${session}?maxev=10&rid=${Date.now()}`, { signal: abort.signal });
        const e = await r.json();
        for (const x of Array.isArray(e) ? e : [e]) events.push(x);
      } catch { if (!abort.signal.aborted) await sleep(200); }
    }
  })();
  let beat = 0;
  await post(handle, { janus: 'message', body: { request: 'join', ptype: 'publisher', room: LOBBY, pin: LOBBY_PIN, display: kioskTag(ticket, arrived, room, beat) } });
  const joined = await until(() => events.find((e) => e.plugindata && e.plugindata.data.videoroom === 'joined'), 10000);
  if (!joined) throw new Error(`kiosk ${ticket} could not join the lobby: ${JSON.stringify(events.slice(-2))}`);
  const timer = setInterval(() => {
    beat += 1;
    post(handle, { janus: 'message', body: { request: 'configure', display: kioskTag(ticket, arrived, room, beat) } }).catch(() => {});
  }, BEAT_MS);
  return {
    ticket,
    beat: () => beat,
    async leave() {
      clearInterval(timer);
      await post(session, { janus: 'destroy' }).catch(() => {});
      abort.abort();
    },
  };
}

// ---------------------------------------------------------------- the decoy gateway
// A relay to the real Janus that notes what reaches it: a link's gateway
// that works, the worst case (the console would sign in through it).
function startDecoy(janusUrl) {
  const seen = { requests: 0, pin: false };
  const target = new URL(janusUrl);
  const server = http.createServer((req, res) => {
    seen.requests += 1;
    const body = [];
    req.on('data', (d) => body.push(d));
    req.on('end', () => {
      const data = Buffer.concat(body);
      if (data.includes(LOBBY_PIN)) seen.pin = true;
      const headers = { ...req.headers, host: target.host };
      const fwd = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      fwd.on('error', () => { res.writeHead(502); res.end(); });
      fwd.end(data);
    });
  });
  return new Promise((resolve) => server.listen(0, addr, () => resolve({ server, seen, url: `http://${addr}:${server.address().port}/janus` })));
}

// ---------------------------------------------------------------- helpers on the console
const rows = (page) => page.$$eval('#queue-body tr', (trs) => trs.map((tr) => ({ ticket: tr.dataset.ticket, wait: tr.querySelector('td.wait').textContent })));
async function signIn(page, name) {
  await page.selectOption('#service', SERVICE);
  await page.fill('#name', name);
  await page.fill('#pin', LOBBY_PIN);
  await page.click('#signin-button');
  await page.waitForFunction(() => window.relaisConsole.phase === 'queue' || window.relaisConsole.lastError, null, { timeout: 15000 });
}
async function newPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => note(`page error: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return { context, page };
}
// A session room participant (videoroom.html): publishes the fake camera
// and microphone and a data channel; creates the room (without a pin: the
// console's derived pin is then not checked) when `create`.
async function roomPublisher(browser, origin, janusUrl, room, display, create) {
  const q = new URLSearchParams({ server: janusUrl, room: String(room), display, publish: '1', datachannel: '1', create: create ? '1' : '0' });
  const p = await newPage(browser, `${origin}/pages/videoroom.html?${q}`);
  const up = await p.page.waitForFunction(() => window.relaisStats && window.relaisStats.timing.publisherUp !== null && window.relaisStats.myId,
    null, { timeout: 20000 }).then(() => true).catch(() => false);
  const stats = await p.page.evaluate(() => ({ id: window.relaisStats.myId, errors: window.relaisStats.errors }));
  return { ...p, up, id: stats.id, errors: stats.errors };
}

// ---------------------------------------------------------------- the run
console.log('TAP version 13');
let janus;
let server;
let browser;
let decoy;
const kiosks = [];
try {
  janus = await startJanus({ addr });
  ok(true, `janus ${janus.version} on ${janus.url}`);
  server = await startServer(consoleRoutes(janusJs, {
    '/documents.js': [path.join(root, 'data', 'advisor', 'documents.js'), 'text/javascript; charset=utf-8'],
    '/pages/videoroom.html': [path.join(root, 'tests', 'advisor', 'pages', 'videoroom.html'), 'text/html; charset=utf-8'],
    '/pages/videoroom.js': [path.join(root, 'tests', 'advisor', 'pages', 'videoroom.js'), 'text/javascript; charset=utf-8'],
    '/janus-gateway/janus.js': [janusJs, 'text/javascript; charset=utf-8'],
  }, { gateways: [janus.url] }), addr);
  const origin = `http://${addr}:${server.address().port}`;
  decoy = await startDecoy(janus.url);
  browser = await chromium.launch({ executablePath: process.env.RELAIS_CHROMIUM || '/usr/bin/chromium', headless: true, args: chromiumArgs(addr, origin) });

  // ---- 1. the gateway
  {
    const link = `${origin}/index.html?gateway=${encodeURIComponent(decoy.url)}`;
    const c = await newPage(browser, link);
    await c.page.waitForFunction(() => window.relaisConsole && window.relaisConsole.ready, null, { timeout: 10000 });
    const field = await c.page.inputValue('#gateway');
    const info = await c.page.evaluate(() => window.relaisConsole.lastInfo);
    ok(field === janus.url, `a link's foreign ?gateway= is not put in the form (${field})`, `want the deployment's ${janus.url}`);
    ok(/^Le lien donnait une autre adresse de serveur/.test(info || ''), `the console says the link's address is not used ("${info}")`);
    await signIn(c.page, 'Mme Lien');
    let st = await consoleState(c.page);
    ok(st.phase === 'queue', `it signs in on the deployment's gateway (${st.phase}${st.lastError ? ': ' + st.lastError : ''})`);
    ok(decoy.seen.requests === 0 && !decoy.seen.pin,
      `nothing reached the link's gateway (${decoy.seen.requests} requests, lobby pin ${decoy.seen.pin ? 'SENT' : 'not sent'})`);
    const saved = await c.page.evaluate(() => localStorage.getItem('relais-console'));
    ok(saved !== null && !saved.includes(String(decoy.server.address().port)) && !('gateway' in JSON.parse(saved)),
      `no gateway is saved for the next sign-in (${saved})`);
    // The next visit, without the link, from the same browser profile.
    await c.page.goto(`${origin}/index.html`, { waitUntil: 'load' });
    await c.page.waitForFunction(() => window.relaisConsole && window.relaisConsole.ready, null, { timeout: 10000 });
    ok(await c.page.inputValue('#gateway') === janus.url, 'the next visit without the link offers the deployment\'s gateway');
    // Typed by hand ("Réglages du serveur"): held to the same list.
    await c.page.click('#signin summary');
    await c.page.fill('#gateway', decoy.url);
    await c.page.fill('#pin', LOBBY_PIN);
    await c.page.fill('#name', 'Mme Lien');
    await c.page.click('#signin-button');
    await c.page.waitForFunction(() => window.relaisConsole.lastError || window.relaisConsole.phase !== 'signin', null, { timeout: 15000 }).catch(() => {});
    st = await consoleState(c.page);
    ok(st.phase === 'signin' && /^Cette adresse de serveur n'est pas celle de votre service/.test(st.lastError || ''),
      `a typed address outside the list is refused plainly (${st.phase}: "${st.lastError}")`);
    await sleep(500);
    ok(decoy.seen.requests === 0 && !decoy.seen.pin, `still nothing reached it (${decoy.seen.requests} requests)`);
    // The page's own origin is the deployment's too.
    await c.page.goto(`${origin}/index.html?gateway=${encodeURIComponent(`${origin}/janus`)}`, { waitUntil: 'load' });
    await c.page.waitForFunction(() => window.relaisConsole && window.relaisConsole.ready, null, { timeout: 10000 });
    ok(await c.page.inputValue('#gateway') === `${origin}/janus`, 'a link to the page\'s own origin is used');
    await c.context.close();
  }

  // ---- 2. the order of the line: clocks skewed by an hour either way.
  {
    const a = await openChromiumConsole(browser, `${origin}/index.html`, 'Mme Alice, CAF', { verbose: args.verbose });
    ok((await consoleState(a.page)).phase === 'queue', 'advisor A signs in');
    const now = () => Math.floor(Date.now() / 1000);
    const plan = [['C1', 0, 'an honest clock'], ['C2', -3600, 'a clock an hour slow'], ['C3', +3600, 'a clock an hour fast']];
    for (const [ticket, skew, what] of plan) {
      // More than a heartbeat apart: a console that comes later tells
      // them apart by their beats.
      if (kiosks.length) await sleep(BEAT_MS + 1500);
      kiosks.push(await lobbyKiosk(janus.url, ticket, now() + skew, 1e9 + kiosks.length));
      const seen = await until(async () => (await rows(a.page)).some((r) => r.ticket === ticket), 10000);
      ok(seen !== null, `A lists ${ticket}, a kiosk with ${what}`);
    }
    let list = await rows(a.page);
    ok(list.map((r) => r.ticket).join(',') === 'C1,C2,C3', `A's line is in the order they came: ${list.map((r) => `${r.ticket} (${r.wait})`).join(', ')}`);
    const slow = list.find((r) => r.ticket === 'C2');
    ok(slow && !/min/.test(slow.wait), `the slow clock's kiosk has waited seconds, not an hour (${slow ? slow.wait : '-'})`);
    await sleep(1000);
    const b = await openChromiumConsole(browser, `${origin}/index.html`, 'M. Bruno, CAF', { verbose: args.verbose });
    await until(async () => (await rows(b.page)).length === 3, 10000);
    list = await rows(b.page);
    ok(list.map((r) => r.ticket).join(',') === 'C1,C2,C3',
      `B, signed in after them, has the same order: ${list.map((r) => `${r.ticket} (${r.wait})`).join(', ')} (beats ${kiosks.map((k) => k.beat()).join(', ')})`);
    await b.context.close();
    for (const k of kiosks.splice(0)) await k.leave();
    ok(await until(async () => (await rows(a.page)).length === 0, 10000) !== null, 'they leave the line');
    await a.context.close();
  }

  // ---- 3. the kick race: only the kiosk's feed is followed.
  {
    const room = 1e9 + 1000 + crypto.randomInt(1e6);
    const arrived = Math.floor(Date.now() / 1000);
    const tag = kioskTag('C4', arrived, room, 0);
    const kiosk = await roomPublisher(browser, origin, janus.url, room, tag, true);
    ok(kiosk.up, `the kiosk stand-in publishes in its session room ${room} (feed ${kiosk.id})`, JSON.stringify(kiosk.errors));
    // A loser that got to publish before its kick, there before the take.
    const early = await roomPublisher(browser, origin, janus.url, room, 'relais1 advisor busy M.%20Bruno', false);
    ok(early.up, `another advisor publishes in the room first (feed ${early.id})`, JSON.stringify(early.errors));
    kiosks.push(await lobbyKiosk(janus.url, 'C4', arrived, room));

    const a = await openChromiumConsole(browser, `${origin}/index.html`, 'Mme Alice, CAF', { watchPeers: true, verbose: args.verbose });
    ok(await until(async () => (await rows(a.page)).some((r) => r.ticket === 'C4'), 10000) !== null, 'A lists C4');
    await a.page.click('tr[data-ticket="C4"] button.take');
    const video = await until(async () => (await consoleState(a.page)).framesDecoded > 0, 20000);
    let st = await consoleState(a.page);
    ok(video !== null && st.phase === 'call', `A has the call and the kiosk's video (${st.phase}, ${st.framesDecoded} frames)`, st.lastError || st.lastInfo);
    const followed = await a.page.evaluate(() => window.relaisConsole.kioskFeed);
    ok(followed === kiosk.id, `A follows the kiosk's feed (${followed}; the kiosk ${kiosk.id}, the other ${early.id})`);
    await early.page.evaluate(() => window.relaisLeave());
    await early.context.close();
    await sleep(3000);
    st = await consoleState(a.page);
    ok(st.phase === 'call' && st.lastInfo !== "La personne a quitté l'appel.",
      `the other advisor leaving (kicked) does not end A's call (${st.phase}${st.lastInfo ? ': ' + st.lastInfo : ''})`);

    // A latecomer publishing during the call, with another room's kiosk tag.
    const late = await roomPublisher(browser, origin, janus.url, room, kioskTag('C9', arrived, room + 1, 0), false);
    ok(late.up, `a latecomer publishes in the room during the call (feed ${late.id})`, JSON.stringify(late.errors));
    await until(() => kiosk.page.evaluate((id) => !!window.relaisStats.feeds[id], late.id), 10000);
    await sleep(1500);
    await late.page.evaluate(() => window.relaisLeave());
    await late.context.close();
    await sleep(3000);
    st = await consoleState(a.page);
    ok(st.phase === 'call' && st.lastInfo !== "La personne a quitté l'appel.",
      `the latecomer leaving does not end A's call either (${st.phase}${st.lastInfo ? ': ' + st.lastInfo : ''})`);
    const before = st.framesDecoded;
    await sleep(1500);
    ok((await consoleState(a.page)).framesDecoded > before, 'A still decodes the kiosk\'s video');

    // ---- 4. the chat's bound.
    ok(await until(() => a.page.evaluate(() => window.relaisReceivingDataOpen()), 10000) !== null,
      'A\'s subscription to the kiosk has its data channel open');
    const N = 230;
    await kiosk.page.evaluate(async (n) => { for (let k = 1; k <= n; k++) await window.relaisSendChat(`ligne ${k}`); }, N);
    const last = await until(async () => { const c = (await consoleState(a.page)).chat; return c.length && c[c.length - 1].text === `ligne ${N}` ? c : null; }, 15000);
    const shown = await a.page.$$eval('#chat-log p.them', (ps) => ps.length);
    const dropped = await a.page.$eval('#chat-log', (log) => { const el = log.querySelector('#chat-dropped'); return el ? { text: el.textContent, first: log.firstElementChild === el } : null; });
    ok(last !== null && last.length === 200 && last[0].text === `ligne ${N - 199}`,
      `after ${N} lines A keeps the last 200 (${last ? `${last.length}, from "${last[0].text}"` : 'the last line never came'})`);
    ok(shown === 200, `and shows 200 (${shown})`);
    ok(dropped && dropped.first && dropped.text === `${N - 200} message(s) plus ancien(s) ne sont plus affichés.`,
      `and says so at the top ("${dropped ? dropped.text : 'nothing said'}")`);
    await a.page.click('#lang');
    const en = await a.page.waitForFunction(() => { const el = document.getElementById('chat-dropped'); return el && /^\d+ older message/.test(el.textContent) && el.textContent; },
      null, { timeout: 5000 }).then((h) => h.jsonValue()).catch(() => null);
    ok(en === `${N - 200} older message(s) are no longer shown.`, `in English too ("${en}")`);

    // ---- 5. the kiosk's link (PROTOCOL.md, section 5, "link"): sound only,
    // said over the picture's place, not in the chat; then the picture back.
    const lastLine = () => consoleState(a.page).then((st) => st.chat[st.chat.length - 1].text);
    await kiosk.page.evaluate(() => window.relaisSendChat(JSON.stringify({ relais: 1, type: 'link', video: false })));
    const weak = await until(() => a.page.evaluate(() => { const el = document.getElementById('link-status'); return !el.hidden && el.textContent ? el.textContent : null; }), 8000);
    ok(weak === "The kiosk's connection is weak: the picture is off, the sound goes on.",
      `the kiosk sending sound only is said over its picture ("${weak}")`);
    if (process.env.RELAIS_GUARDS_SHOT) await a.page.screenshot({ path: process.env.RELAIS_GUARDS_SHOT });
    await kiosk.page.evaluate(() => window.relaisSendChat(JSON.stringify({ relais: 1, type: 'link', video: true })));
    const back = await until(() => a.page.evaluate(() => document.getElementById('link-status').hidden || null), 8000);
    ok(back === true, 'and no longer once the kiosk says the picture is back');
    const lastNow = await lastLine();
    ok(lastNow === `ligne ${N}`, `neither shows as a chat line (the last line is "${lastNow}")`);

    await a.page.click('#outcomes button[data-outcome="resolved"]');
    ok(await until(async () => (await consoleState(a.page)).phase === 'queue', 8000) !== null, 'A ends the call and is back on the line');
    await kiosk.page.evaluate(() => window.relaisLeave());
    await kiosk.context.close();
    await a.context.close();
  }
} catch (e) {
  ok(false, `unexpected: ${e.stack || e}`);
} finally {
  for (const k of kiosks) await k.leave();
  if (decoy) decoy.server.close();
  await stopAll({ browser, server, janus });
}
done();
