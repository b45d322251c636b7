#!/usr/bin/env node
// participant.mjs — one headless Chromium (Debian's /usr/bin/chromium, driven
// by playwright-core) joining a Janus VideoRoom as a publisher with the fake
// camera and microphone, like a remote advisor would.
//
//   node participant.mjs --janus http://10.77.0.1:8088/janus --room 4242 \
//        --display Advisor --duration 10 [--send-chat TEXT] \
//        [--expect-publishers N] [--expect-chat TEXT] [--screenshot out.png]
//
// Run it inside the test network namespace (tests/integration/relais-netns-run):
// the page is served by a tiny built-in HTTP server bound to RELAIS_TEST_ADDR
// (or --bind), and Chromium is started with flags that keep it from reaching
// anything outside.
//
// Prints one JSON line of stats per second ({"type":"tick",…}) and a final
// {"type":"summary",…} line. Exit status: 0 when every expectation held (and,
// whenever another publisher was in the room, when remote frames were
// decoded), 1 otherwise, 2 on bad usage.
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { parseArgs } from 'node:util';
import http from 'node:http';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { processTree, treeUsage } from './proc-usage.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

const { values: args } = parseArgs({
  options: {
    janus: { type: 'string' },
    room: { type: 'string', default: '4242' },
    display: { type: 'string', default: 'advisor' },
    duration: { type: 'string', default: '10' },
    'join-timeout': { type: 'string', default: '20' },
    'send-chat': { type: 'string' },
    'chat-interval': { type: 'string', default: '2' },
    'expect-publishers': { type: 'string' },
    'expect-chat': { type: 'string' },
    'no-publish': { type: 'boolean', default: false },
    'no-datachannel': { type: 'boolean', default: false },
    simulcast: { type: 'boolean', default: false },
    'no-create': { type: 'boolean', default: false },
    'stay-until-left': { type: 'boolean', default: false },
    bitrate: { type: 'string', default: '0' },
    bind: { type: 'string' },
    chromium: { type: 'string', default: process.env.RELAIS_CHROMIUM || '/usr/bin/chromium' },
    screenshot: { type: 'string' },
    verbose: { type: 'boolean', short: 'v', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

function usage(code) {
  process.stderr.write(`usage: participant.mjs --janus URL [--room N] [--display NAME] [--duration S]
       [--send-chat TEXT] [--chat-interval S] [--expect-publishers N] [--expect-chat TEXT]
       [--no-publish] [--no-datachannel] [--no-create] [--stay-until-left] [--simulcast]
       [--bitrate BPS] [--bind ADDR]
       [--chromium PATH] [--screenshot FILE.png] [--verbose]
`);
  process.exit(code);
}
if (args.help) usage(0);

const bindAddr = args.bind || process.env.RELAIS_TEST_ADDR || '127.0.0.1';
const janusUrl = args.janus || `http://${bindAddr}:8088/janus`;
const janusHost = (() => { try { return new URL(janusUrl).hostname; } catch { return null; } })();
const room = parseInt(args.room, 10);
const duration = parseFloat(args.duration);
const joinTimeout = parseFloat(args['join-timeout']);
const chatInterval = parseFloat(args['chat-interval']);
const expectPublishers = args['expect-publishers'] !== undefined ? parseInt(args['expect-publishers'], 10) : null;
if (!Number.isInteger(room) || !(duration > 0) || !(joinTimeout > 0) ||
    (expectPublishers !== null && !(expectPublishers >= 0))) usage(2);

const log = (...a) => { if (args.verbose) process.stderr.write(`[${args.display}] ${a.join(' ')}\n`); };
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- static server
// Only these files are served: the test page and Debian's janus.js.
const janusJsDir = process.env.RELAIS_JANUS_JS_DIR || '/usr/share/javascript/janus-gateway';
const routes = {
  '/videoroom.html': [path.join(here, 'pages', 'videoroom.html'), 'text/html; charset=utf-8'],
  '/videoroom.js': [path.join(here, 'pages', 'videoroom.js'), 'text/javascript; charset=utf-8'],
  '/janus-gateway/janus.js': [path.join(janusJsDir, 'janus.js'), 'text/javascript; charset=utf-8'],
};

function startServer() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const route = routes[url.pathname];
    if (url.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (req.method !== 'GET' || !route) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found\n');
      return;
    }
    fs.readFile(route[0], (err, body) => {
      if (err) {
        res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(err) + '\n');
        return;
      }
      res.writeHead(200, { 'Content-Type': route[1], 'Cache-Control': 'no-store' });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, bindAddr, () => resolve(server));
  });
}

// ---------------------------------------------------------------- Chromium
// playwright-core adds --user-data-dir (a fresh temporary directory, see
// launchPersistentContext below) and --remote-debugging-pipe itself.
function chromiumArgs(pageOrigin) {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--use-fake-ui-for-media-stream',
    '--use-fake-device-for-media-stream',
    // No name resolution at all (the page and Janus are IP literals), so
    // nothing is looked up outside; see DESIGN.md.
    // The gateway may be at another address than the page (the booth's
    // seat behind the emulated link): it is let through too.
    `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${bindAddr}` +
      (janusHost && janusHost !== bindAddr ? `, EXCLUDE ${janusHost}` : ''),
    // Real host candidates (10.77.0.x) instead of mDNS names Janus can't resolve.
    '--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter,DialMediaRouteProvider,OptimizationHints,Translate',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--no-pings',
    '--autoplay-policy=no-user-gesture-required',
    // getUserMedia needs a secure context; the test page is plain HTTP on
    // the namespace address (a deployment serves the console over HTTPS).
    `--unsafely-treat-insecure-origin-as-secure=${pageOrigin}`,
    '--window-size=1000,600',
  ];
}

async function main() {
  const t0 = Date.now();
  const server = await startServer();
  const { port } = server.address();
  const pageUrl = new URL(`http://${bindAddr}:${port}/videoroom.html`);
  pageUrl.search = new URLSearchParams({
    server: janusUrl,
    room: String(room),
    display: args.display,
    publish: args['no-publish'] ? '0' : '1',
    datachannel: args['no-datachannel'] ? '0' : '1',
    simulcast: args.simulcast ? '1' : '0',
    create: args['no-create'] ? '0' : '1',
    bitrate: args.bitrate,
    debug: args.verbose ? '1' : '0',
  }).toString();

  const userDataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'relais-chromium-'));
  let context = null;
  let exitCode = 1;
  const usageSamples = [];
  let peakPssKiB = 0;

  const cleanup = async () => {
    if (context) { await context.close().catch(() => {}); context = null; }
    server.close();
    await fsp.rm(userDataDir, { recursive: true, force: true }).catch(() => {});
  };
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => { cleanup().finally(() => process.exit(128 + (sig === 'SIGINT' ? 2 : 15))); });
  }

  try {
    const launchStart = Date.now();
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: args.chromium,
      headless: true,
      args: chromiumArgs(pageUrl.origin),
      viewport: { width: 1000, height: 600 },
    });
    const launchMs = Date.now() - launchStart;
    const version = context.browser() ? context.browser().version() : null;
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' || args.verbose) process.stderr.write(`[${args.display}] console.${m.type()}: ${m.text()}\n`);
    });
    page.on('pageerror', (e) => process.stderr.write(`[${args.display}] page error: ${e.message}\n`));

    const navStart = Date.now();
    await page.goto(pageUrl.toString(), { waitUntil: 'load', timeout: 15000 });
    log('page loaded', pageUrl.toString());

    const getStats = () => page.evaluate(() => window.relaisStats);
    const chromiumPids = () => processTree(process.pid).filter((p) => /chrom/i.test(p.comm));

    // Wait until joined (or an error, or the timeout).
    let s = await getStats();
    const joinDeadline = Date.now() + joinTimeout * 1000;
    while (!s.joined && s.errors.length === 0 && Date.now() < joinDeadline) {
      await sleep(100);
      s = await getStats();
    }
    if (!s.joined) {
      emit({ type: 'summary', display: args.display, ok: false, reason: s.errors.length ? 'error' : 'join timeout', errors: s.errors });
      return 1;
    }
    log('joined as', s.myId);
    emit({ type: 'joined', display: args.display, myId: s.myId, publishers: s.publishers });

    // Run for --duration seconds after joining; one JSON line per second.
    // --stay-until-left: then on (at most STAY_MAX_MS more) until the
    // expected publishers have come and all of them have left, as an
    // advisor stays with the person: on a loaded machine the other side
    // may need many seconds to start.
    const STAY_MAX_MS = 45000;
    const joinedAt = Date.now();
    const endAt = joinedAt + duration * 1000;
    const othersPending = (st) => st.publishersSeen < (expectPublishers ?? 1) || st.publishers > 0;
    const running = (st) => Date.now() < endAt
      || (args['stay-until-left'] && Date.now() < endAt + STAY_MAX_MS && othersPending(st));
    let lastChat = 0;
    let nextTick = joinedAt + 1000;
    let usageAtFirstFrame = null;
    let firstFrameWall = null;
    while (running(s)) {
      await sleep(100);
      s = await getStats();
      if (firstFrameWall === null && s.timing.firstRemoteFrame !== null) {
        firstFrameWall = Date.now();
        usageAtFirstFrame = treeUsage(chromiumPids());
      }
      // Chat once the call is up both ways as far as we can tell (our data
      // channel is open and we see the other side), then again every
      // --chat-interval s: a line sent before the other side's subscriber
      // is ready is dropped by Janus.
      if (args['send-chat'] && s.dataOpen && s.framesDecoded > 0 &&
          (lastChat === 0 || (chatInterval > 0 && Date.now() - lastChat >= chatInterval * 1000))) {
        lastChat = Date.now();
        await page.evaluate((t) => window.relaisSendChat(t), args['send-chat']).catch((e) => log('chat failed', e.message));
      }
      if (Date.now() >= nextTick) {
        nextTick += 1000;
        const u = treeUsage(chromiumPids());
        usageSamples.push(u);
        peakPssKiB = Math.max(peakPssKiB, u.pssKiB);
        emit({
          type: 'tick', display: args.display, t: +((Date.now() - joinedAt) / 1000).toFixed(1),
          joined: s.joined, publishers: s.publishers, framesDecoded: s.framesDecoded,
          freezeCount: s.freezeCount, concealedSamples: s.concealedSamples, totalSamplesReceived: s.totalSamplesReceived,
          framesSent: s.framesSent, remoteVideo: s.remoteVideo, chatReceived: s.chatReceived.length,
          errors: s.errors.length, cpuSeconds: u.cpuSeconds, pssKiB: u.pssKiB, processes: u.processes,
        });
      }
    }

    if (args.screenshot) {
      await page.screenshot({ path: args.screenshot });
      log('screenshot written to', args.screenshot);
    }
    s = await getStats();
    const endUsage = treeUsage(chromiumPids());
    peakPssKiB = Math.max(peakPssKiB, endUsage.pssKiB);

    // Verdict.
    const problems = [];
    const remoteFeeds = Object.values(s.feeds);
    if (s.errors.length) problems.push(`${s.errors.length} page error(s): ${s.errors.map((e) => e.text).join('; ')}`);
    if (expectPublishers !== null) {
      if (s.publishersSeen < expectPublishers) problems.push(`expected ${expectPublishers} remote publisher(s), saw ${s.publishersSeen}`);
      const dark = remoteFeeds.filter((f) => !(f.framesDecoded > 0));
      if (dark.length) problems.push(`no frames decoded from ${dark.map((f) => f.display).join(', ')}`);
    }
    if (remoteFeeds.length > 0 && !(s.framesDecoded > 0)) problems.push('other publishers present but no remote frame decoded');
    if (!args['no-publish'] && !(s.framesSent > 0)) problems.push('no video frame sent');
    if (args['expect-chat'] !== undefined && !s.chatReceived.some((c) => c.text === args['expect-chat']))
      problems.push(`chat line ${JSON.stringify(args['expect-chat'])} not received`);

    const tm = s.timing;
    const steadySeconds = firstFrameWall ? (Date.now() - firstFrameWall) / 1000 : null;
    const summary = {
      type: 'summary',
      display: args.display,
      ok: problems.length === 0,
      problems,
      chromium: version,
      room,
      myId: s.myId,
      publishers: s.publishers,
      publishersSeen: s.publishersSeen,
      framesDecoded: s.framesDecoded,
      freezeCount: s.freezeCount,
      concealedSamples: s.concealedSamples,
      totalSamplesReceived: s.totalSamplesReceived,
      framesSent: s.framesSent,
      remoteVideo: s.remoteVideo,
      localVideo: s.localVideo,
      audioPacketsReceived: s.audioPacketsReceived,
      bytesReceived: s.bytesReceived,
      bytesSent: s.bytesSent,
      feeds: s.feeds,
      chatSent: s.chatSent.length,
      chatReceived: s.chatReceived,
      errors: s.errors,
      warnings: s.warnings,
      timingMs: {
        launch: launchMs,
        pageLoad: tm.janusInit,                       // navigation start → janus.js ready
        joinRequestToJoined: tm.joined - tm.joinRequest,
        joinRequestToPublisherUp: tm.publisherUp !== null ? tm.publisherUp - tm.joinRequest : null,
        joinRequestToFirstRemoteFrame: tm.firstRemoteFrame !== null ? tm.firstRemoteFrame - tm.joinRequest : null,
        joinedToFirstRemoteFrame: tm.firstRemoteFrame !== null ? tm.firstRemoteFrame - tm.joined : null,
        // Per remote feed: subscribe request → its first frame presented
        // (what a participant already in the room waits when someone joins).
        subscribeToFirstFrame: Object.fromEntries(Object.values(s.feeds).map((f) =>
          [f.display, f.firstFrameAt !== null ? f.firstFrameAt - f.subscribedAt : null])),
        processStartToFirstRemoteFrame: tm.firstRemoteFrame !== null && firstFrameWall !== null ? firstFrameWall - t0 : null,
        navigation: navStart - t0,
      },
      usage: {
        cpuSeconds: endUsage.cpuSeconds,
        // CPU share of one core while the call was established (first remote
        // frame → end), the figure to compare with the native kiosk.
        steadyCpuPercent: usageAtFirstFrame && steadySeconds > 0
          ? +((100 * (endUsage.cpuSeconds - usageAtFirstFrame.cpuSeconds)) / steadySeconds).toFixed(1) : null,
        steadySeconds: steadySeconds !== null ? +steadySeconds.toFixed(1) : null,
        pssKiB: endUsage.pssKiB,
        peakPssKiB,
        processes: endUsage.processes,
      },
    };
    emit(summary);
    exitCode = summary.ok ? 0 : 1;

    await page.evaluate(() => window.relaisLeave()).catch(() => {});
    return exitCode;
  } finally {
    await cleanup();
  }
}

main().then((code) => process.exit(code), (err) => {
  emit({ type: 'summary', display: args.display, ok: false, reason: 'exception', errors: [String(err && err.stack || err)] });
  process.exit(1);
});
