// tap-harness.mjs — what the advisor tests driving the real kiosk window
// (test-console.mjs, test-console-firefox.mjs, test-documents.mjs) share:
// TAP results, the watchdog, the preconditions said plainly, the console's
// static server, the kiosk process and its log, gapplication/gdbus, the
// screenshots, the kiosk's configuration.
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
export const root = path.resolve(here, '..', '..');

export const LOBBY_PIN = 'relais-test-lobby';   // tests/integration/janus/janus.plugin.videoroom.jcfg.in
export const AGENT_PIN = '123456';  // a deployment's PIN: 6 digits or more
export const SERVICE = 'caf';
export const SUBSERVICE = 'prime-activite';
export const APP = 'org.relais.Kiosk';

// ---------------------------------------------------------------- TAP
let n = 0;
let failed = 0;
// A failure is said on stderr too, with `why` when given (a test's last
// lines of stdout may be all a CI log keeps).
export const ok = (cond, what, why) => {
  n += 1;
  if (!cond) failed += 1;
  console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${what}`);
  if (!cond) {
    if (why) for (const l of String(why).split('\n')) console.log(`# ${l}`);
    process.stderr.write(`${path.basename(process.argv[1] || 'test')}: step ${n} failed: ${what}${why ? `\n  why: ${why}` : ''}\n`);
  }
  return cond;
};
export const anyFailed = () => failed > 0;
export const note = (text) => { for (const l of String(text).split('\n')) console.log(`# ${l}`); };
export const bail = (why) => {
  console.log(`Bail out! ${why}`);
  process.stderr.write(`${path.basename(process.argv[1] || 'test')}: bail out: ${why}\n`);
  process.exit(1);
};
// The plan last, then the exit status: 1 when any result was "not ok".
export const done = () => {
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
};
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export async function until(fn, timeoutMs, stepMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) return null;
    await sleep(stepMs);
  }
}

// A hard limit on the whole test, whatever hangs.
export function startWatchdog(seconds) {
  const watchdog = setTimeout(() => bail(`watchdog: test took more than ${seconds} s`), seconds * 1000);
  watchdog.unref();
}

// ---------------------------------------------------------------- preconditions: say plainly what is missing.
export function requireSession() {
  if (!process.env.RELAIS_TEST_ADDR) bail('RELAIS_TEST_ADDR unset: run me through tests/integration/relais-netns-run');
  if (!process.env.DISPLAY) bail('DISPLAY unset: run me under xvfb-run (Debian package xvfb)');
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) bail('no session bus: run me under dbus-run-session (Debian package dbus)');
}
export const kioskBinPath = () => process.env.RELAIS_KIOSK || path.join(root, 'build', 'kiosk', 'relais-kiosk');
export const janusJsPath = () => path.join(process.env.RELAIS_JANUS_JS_DIR || '/usr/share/javascript/janus-gateway', 'janus.js');
export function requireModule(name) {
  try {
    createRequire(import.meta.url).resolve(name);
  } catch {
    bail(`${name} is not installed: run 'npm ci --prefix tests/advisor'`);
  }
}
export function requireFiles(files, packages) {
  for (const f of files) {
    if (!fs.existsSync(f)) bail(`${f} is missing (build the kiosk; Debian packages ${packages})`);
  }
}
export function requireKioskTools() {
  for (const tool of ['gapplication', 'gdbus', 'import']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) bail(`'${tool}' is missing (Debian packages libglib2.0-bin, imagemagick)`);
  }
}

// ---------------------------------------------------------------- the console's server
// data/advisor/ and what it loads; `extra` adds routes (documents.js);
// `gateways` is the deployment's console.json list (the test Janus is on
// another port than the console, so not its origin).
export function consoleRoutes(janusJs, extra = {}, { gateways } = {}) {
  const index = [path.join(root, 'data', 'advisor', 'index.html'), 'text/html; charset=utf-8'];
  return {
    ...(gateways ? { '/console.json': { body: JSON.stringify({ gateways }), type: 'application/json' } } : {}),
    '/': index,
    '/index.html': index,
    '/console.js': [path.join(root, 'data', 'advisor', 'console.js'), 'text/javascript; charset=utf-8'],
    '/console.css': [path.join(root, 'data', 'advisor', 'console.css'), 'text/css; charset=utf-8'],
    ...extra,
    '/favicon.ico': [path.join(root, 'data', 'icons', 'hicolor', 'scalable', 'apps', 'org.relais.Kiosk.svg'), 'image/svg+xml'],
    '/directory.json': [path.join(root, 'data', 'directory.sample.json'), 'application/json'],
    '/javascript/janus-gateway/janus.js': [janusJs, 'text/javascript; charset=utf-8'],
  };
}
// A route is [file, type] or {body, type}.
export function startServer(routes, addr) {
  const server = http.createServer((req, res) => {
    const route = routes[new URL(req.url, 'http://x').pathname];
    if (req.method !== 'GET' || !route) { res.writeHead(404); res.end(); return; }
    if (!Array.isArray(route)) {
      res.writeHead(200, { 'Content-Type': route.type, 'Cache-Control': 'no-store' });
      res.end(route.body);
      return;
    }
    fs.readFile(route[0], (err, body) => {
      if (err) { res.writeHead(500); res.end(); return; }
      res.writeHead(200, { 'Content-Type': route[1], 'Cache-Control': 'no-store' });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, addr, () => resolve(server)));
}

// ---------------------------------------------------------------- the kiosk
// Its stdout and stderr, line by line, with the time each came.
export const kioskLog = [];
export function startKiosk(kioskBin, configPath, env, verbose) {
  const child = spawn(kioskBin, ['--config', configPath], {
    env: { ...process.env, ...env, GTK_A11Y: 'none', LANGUAGE: 'fr' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const onData = (d) => {
    for (const line of String(d).split('\n')) {
      if (!line) continue;
      kioskLog.push({ at: Date.now(), line });
      if (verbose) process.stderr.write(`[kiosk] ${line}\n`);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return child;
}
export const logIndex = () => kioskLog.length;
// For a failed step's "why": the kiosk's page (with RELAIS_TEST_TRACE=1)
// and its last lines (without the sound libraries' noise: Xvfb has no
// sound card).
export const kioskTail = (k = 8) => {
  const page = [...kioskLog].reverse().find((l) => l.line.includes('relais-trace: page: '));
  const lines = kioskLog.filter((l) => !/^(ALSA lib |AL lib: )/.test(l.line)).slice(-k);
  return `kiosk page ${page ? page.line.replace(/.*relais-trace: page: /, '') : '?'}; its last lines:\n`
    + lines.map((l) => `  ${l.line}`).join('\n');
};
export const logSince = (i, text) => kioskLog.slice(i).find((l) => l.line.includes(text));
export const act = (name, param) => {
  const argv = ['action', APP, name];
  if (param !== undefined) argv.push(param);
  const r = spawnSync('gapplication', argv, { encoding: 'utf8' });
  if (r.status !== 0) note(`gapplication ${name} failed: ${r.stderr}`);
  return r.status === 0;
};
export const busHas = () => /true/.test(spawnSync('gdbus', ['call', '--session', '--dest', 'org.freedesktop.DBus',
  '--object-path', '/org/freedesktop/DBus', '--method', 'org.freedesktop.DBus.NameHasOwner', APP], { encoding: 'utf8' }).stdout || '');
// Whether an action is enabled now (org.gtk.Actions.Describe on the bus).
export const actionEnabled = (name) => /^\(\(true,/.test(spawnSync('gdbus', ['call', '--session', '--dest', APP,
  '--object-path', '/org/relais/Kiosk', '--method', 'org.gtk.Actions.Describe', name], { encoding: 'utf8' }).stdout || '');

// The kiosk's configuration in tmp (its store there too), with the agent's
// PIN hashed by the kiosk itself; `extra` adds groups.
export function writeKioskConfig(kioskBin, tmp, janusUrl, extra = '') {
  const hash = spawnSync(kioskBin, ['--hash-pin'], { input: AGENT_PIN + '\n', encoding: 'utf8' }).stdout.match(/pin-hash=(\S+)/);
  if (!hash) bail('relais-kiosk --hash-pin printed no pin-hash line');
  const configPath = path.join(tmp, 'kiosk.conf');
  fs.writeFileSync(configPath, `[kiosk]\nsite-name=Mairie de Testville\nlanguage=fr\nstore-path=${path.join(tmp, 'relais.db')}\n`
    + `[agent]\npin-hash=${hash[1]}\nidle-lock-seconds=3600\n`
    + `[gateway]\njanus-url=${janusUrl}\nlobby-pin=${LOBBY_PIN}\ntest-only-plain-http=true\n`
    + extra);
  return configPath;
}

// The end of a run, whatever happened: after a failure, how the kiosk
// ended and its last lines; then the kiosk killed if it still runs, the
// browser, the console's server and Janus stopped (each may be unset).
export async function stopAll({ kiosk, browser, server, janus }) {
  if (failed) {
    note(`kiosk: exit ${kiosk ? kiosk.exitCode : '?'} signal ${kiosk ? kiosk.signalCode : '?'}; its last lines:`);
    for (const l of kioskLog.slice(-40)) note(`  ${l.line}`);
  }
  if (kiosk && kiosk.exitCode === null) kiosk.kill('SIGKILL');
  if (browser) await browser.close().catch(() => {});
  if (server) server.close();
  if (janus) await janus.stop();
}

// After "call now" on the desk: the pre-call check gets ready, the person
// starts the call, the kiosk publishes and announces itself in the lobby.
export async function startCallToLobby(what, kioskShot) {
  // The camera preview (and its DTLS certificate) before "start the call":
  // a loaded host may need longer than the usual 3 s.
  await sleep(3000);
  const canStart = await until(() => actionEnabled('start-call'), 15000, 250);
  ok(canStart !== null, `${what}: the pre-call check is ready (start-call enabled)`, canStart === null ? kioskTail() : null);
  kioskShot(`${what}-precall`);
  const j = logIndex();
  ok(act('start-call'), `${what}: the person starts the call`);
  const announced = await until(() => logSince(j, 'announcing in the lobby'), 15000);
  ok(announced !== null, `${what}: the kiosk publishes in its session room and announces itself in the lobby`, announced === null ? kioskTail() : null);
}

// ---------------------------------------------------------------- screenshots
// Numbered in the order taken, both sides in one sequence; `prefix` keeps
// one test's pictures apart from another's in the same directory.
export function screenshots(shotDir, prefix = '', { noteErrors = false } = {}) {
  let shotN = 0;
  const kioskShot = (name) => {
    const file = path.join(shotDir, `${prefix}${String(++shotN).padStart(2, '0')}-kiosk-${name}.png`);
    spawnSync('import', ['-window', 'root', file]);
    return file;
  };
  const consoleShot = async (page, name) => {
    const file = path.join(shotDir, `${prefix}${String(++shotN).padStart(2, '0')}-console-${name}.png`);
    await page.screenshot({ path: file }).catch((e) => { if (noteErrors) note(`screenshot ${name}: ${e.message}`); });
    return file;
  };
  return { kioskShot, consoleShot };
}

// ---------------------------------------------------------------- the console in a browser
// Headless Chromium inside the namespace: fake camera and microphone,
// nothing resolved but the test address, the plain-HTTP origin secure.
export function chromiumArgs(addr, origin) {
  return [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${addr}`,
    '--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter,DialMediaRouteProvider,OptimizationHints,Translate',
    '--disable-domain-reliability', '--no-pings', '--autoplay-policy=no-user-gesture-required',
    `--unsafely-treat-insecure-origin-as-secure=${origin}`,
  ];
}

// Runs in the page, before the console's own script (Playwright's
// addInitScript, Puppeteer's evaluateOnNewDocument). The console's dataOpen
// is true once EITHER of its data channels opens (its publisher's, or its
// subscription's that carries the kiosk's lines): before the kiosk writes,
// a test waits for a peer connection that both receives video and has its
// data channel open (window.relaisReceivingDataOpen).
export function watchPeerConnections() {
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
}

// The console's state as the tests read it.
export const consoleState = (page) => page.evaluate(() => ({
  phase: window.relaisConsole.phase,
  waiting: window.relaisConsole.waiting(),
  framesDecoded: window.relaisConsole.framesDecoded,
  chat: window.relaisConsole.chat,
  lastError: window.relaisConsole.lastError,
  lastInfo: window.relaisConsole.lastInfo,
  takeToFirstFrame: window.relaisConsole.firstFrameAt !== null ? window.relaisConsole.firstFrameAt - window.relaisConsole.takeRequestedAt : null,
}));

// Chromium (Playwright): a context of its own, the console signed in as
// `name` for SERVICE; page errors and console errors noted.
export async function openChromiumConsole(browser, consoleUrl, name, { pin = LOBBY_PIN, watchPeers = false, verbose = false } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (watchPeers) await context.addInitScript(watchPeerConnections);
  const page = await context.newPage();
  page.on('pageerror', (e) => note(`[${name}] page error: ${e.message}`));
  page.on('console', (m) => { if (m.type() === 'error' || verbose) note(`[${name}] console.${m.type()}: ${m.text()}`); });
  await page.goto(consoleUrl, { waitUntil: 'load' });
  await page.waitForFunction(() => window.relaisConsole && window.relaisConsole.ready, null, { timeout: 10000 });
  await page.selectOption('#service', SERVICE);
  await page.fill('#name', name);
  await page.fill('#pin', pin);
  await page.click('#signin-button');
  await page.waitForFunction(() => window.relaisConsole.phase === 'queue' || window.relaisConsole.lastError, null, { timeout: 15000 });
  return { context, page };
}

// ---------------------------------------------------------------- a listener, from node
// Someone who holds the lobby pin (every kiosk's configuration has it) and
// wants to hear a waiting person unseen (issue 12, item 2): derives the
// session room's pin as the console does, joins as a participant for a
// private id, subscribes to the kiosk's feed with it, and leaves before
// anyone can kick it. Janus 1.1.2 keeps such a subscription; the kiosk
// must end the room it lives in. Resolves with what Janus said, and
// `exists(room)` to ask Janus about a room afterwards.
export async function listenAndLeave(janusUrl, room, lobbyPin = LOBBY_PIN) {
  const { createHmac, randomBytes } = await import('node:crypto');
  const pin = createHmac('sha256', lobbyPin).update(`relais1 session ${room}`).digest('hex').slice(0, 32);
  const post = async (url, body) => (await fetch(url, { method: 'POST', body: JSON.stringify({ ...body, transaction: randomBytes(6).toString('hex') }) })).json();
  const s = await post(janusUrl, { janus: 'create' });
  const session = `${janusUrl}/${s.data.id}`;
  const events = [];
  const abort = new AbortController();
  (async () => {
    while (!abort.signal.aborted) {
      try {
        const r = await fetch(`${session}?maxev=10&rid=${Date.now()}`, { signal: abort.signal });
        const e = await r.json();
        for (const x of Array.isArray(e) ? e : [e]) events.push(x);
      } catch { if (!abort.signal.aborted) await sleep(100); }
    }
  })();
  const attach = async () => `${session}/${(await post(session, { janus: 'attach', plugin: 'janus.plugin.videoroom' })).data.id}`;
  const answer = async (handle, body) => {
    const r = await post(handle, { janus: 'message', body });
    if (r.janus === 'success') return r.plugindata.data;
    const ev = await until(() => events.find((e) => e.transaction === r.transaction && e.plugindata), 10000);
    return ev ? ev.plugindata.data : { error: 'no answer' };
  };
  const result = {};
  try {
    const me = await attach();
    const joined = await answer(me, { request: 'join', ptype: 'publisher', room, pin, display: 'relais1 advisor busy Personne' });
    result.joined = joined.videoroom === 'joined';
    const kiosk = (joined.publishers || []).find((p) => /^relais1 kiosk /.test(p.display || ''));
    if (result.joined && kiosk) {
      const sub = await attach();
      const subscribed = await answer(sub, { request: 'join', ptype: 'subscriber', room, pin, private_id: joined.private_id, streams: [{ feed: kiosk.id }] });
      result.subscribed = subscribed.videoroom === 'attached';
    }
    await post(me, { janus: 'message', body: { request: 'leave' } });
    result.leftAt = Date.now();
    result.exists = async (r) => {
      const h = await attach();
      return (await answer(h, { request: 'exists', room: r })).exists;
    };
    result.close = async () => { await post(session, { janus: 'destroy' }).catch(() => {}); abort.abort(); };
  } catch (e) {
    abort.abort();
    throw e;
  }
  return result;
}
