#!/usr/bin/env node
// bench-documents.mjs — documents through a test Janus, in one network
// namespace and one run, side by side:
//
//   a. a 4 MiB PDF from one kiosk to another: relais-kiosk --test-call
//      --send-file → --test-call --receive-dir (RelaisTransfer: offer,
//      chunks of ≤ 65 515 bytes, SHA-256 acknowledgement);
//   b. the same file between two headless Chromium pages
//      (bench-datachannel.html, janus.js VideoRoom, data channels only):
//      chunks of 65 515 bytes (Janus 1.1.2 drops binary messages of
//      65 536), paced on bufferedAmount, SHA-256 answered by the receiver;
//   c. scan to delivered: a 3-page dossier from the SANE test backend
//      (bench-dossier: RelaisScanner → RelaisDocument) sent kiosk to kiosk,
//      received and hash-checked; each stage's time.
//
// Throughput is bytes / (first chunk sent → acknowledgement received), in
// KB/s (1 KB = 1000 bytes). Not part of the test suite: run it through
// run-bench-documents.sh, which makes the namespace.
//
//   tests/bench/run-bench-documents.sh [--runs 3] [--kiosk build/kiosk/relais-kiosk]
//                                      [--dossier build/tests/bench/bench-dossier] [--json]
//
// SPDX-License-Identifier: GPL-2.0-or-later

import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
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
    runs: { type: 'string', default: '1' },
    kiosk: { type: 'string', default: process.env.RELAIS_KIOSK || path.join(repo, 'build', 'kiosk', 'relais-kiosk') },
    dossier: { type: 'string', default: path.join(repo, 'build', 'tests', 'bench', 'bench-dossier') },
    'size-mib': { type: 'string', default: '4' },
    chromium: { type: 'string', default: process.env.RELAIS_CHROMIUM || '/usr/bin/chromium' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (args.help) {
  process.stdout.write('usage: bench-documents.mjs [--runs N] [--kiosk PATH] [--dossier PATH] [--size-mib N] [--json]\n');
  process.exit(0);
}
const runs = parseInt(args.runs, 10);
const size = Math.round(parseFloat(args['size-mib']) * 1024 * 1024);
if (!(runs > 0) || !(size > 5)) { process.stderr.write('--runs and --size-mib must be positive\n'); process.exit(2); }

const addr = process.env.RELAIS_TEST_ADDR;
if (!addr) { process.stderr.write('bench-documents.mjs: run it through tests/bench/run-bench-documents.sh (needs the test namespace)\n'); process.exit(2); }
const janusJsDir = process.env.RELAIS_JANUS_JS_DIR || '/usr/share/javascript/janus-gateway';
for (const [what, p, fix] of [
  ['relais-kiosk', args.kiosk, 'build the kiosk (ninja -C build)'],
  ['bench-dossier', args.dossier, 'build it (ninja -C build tests/bench/bench-dossier)'],
  ['playwright-core', path.join(advisorDir, 'node_modules', 'playwright-core'), 'run packaging/relais-dev.sh test'],
  ['janus', '/usr/bin/janus', 'install the Debian package janus'],
  ['janus.js', path.join(janusJsDir, 'janus.js'), 'install the Debian package libjs-janus-gateway'],
  ['chromium', args.chromium, 'install the Debian package chromium'],
  ['the SANE test backend', '/usr/lib/x86_64-linux-gnu/sane/libsane-test.so.1', 'install the Debian package libsane1'],
]) {
  if (!fs.existsSync(p)) { process.stderr.write(`${what} missing (${p}): ${fix}\n`); process.exit(1); }
}

const { startJanus } = await import(path.join(advisorDir, 'janus-server.mjs'));
const { chromium } = await import(path.join(advisorDir, 'node_modules', 'playwright-core', 'index.mjs'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'relais-bench-documents-'));
const CHUNK = 65515;

// ---------------------------------------------------------------- children
function start(cmd, argv) {
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const res = { child, out: '', err: '', code: null };
  child.stdout.on('data', (d) => { res.out += d; });
  child.stderr.on('data', (d) => { res.err += d; });
  res.exited = new Promise((r) => child.on('exit', (code, sig) => { res.code = code ?? 128; res.signal = sig; r(res); }));
  return res;
}
const lastJson = (text) => {
  const lines = text.split('\n').filter((l) => l.startsWith('{'));
  try { return lines.length ? JSON.parse(lines[lines.length - 1]) : null; } catch { return null; }
};
async function until(pred, ms, what) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (pred()) return Date.now();
    await sleep(5);
  }
  throw new Error(`${what}: not within ${ms / 1000} s`);
}

// ---------------------------------------------------------------- a, c: kiosk to kiosk
// The sender says "Le document envoyé a été reçu et vérifié." when the
// acknowledgement arrives: both are then stopped (SIGTERM: the report is
// still printed) rather than left to the end of --duration.
const ACKED = 'reçu et vérifié';
async function kioskToKiosk(janusUrl, file, name) {
  const room = 100000 + Math.floor(Math.random() * 800000);
  const inbox = fs.mkdtempSync(path.join(work, 'inbox-'));
  const contents = fs.readFileSync(file);
  const want = sha256(contents);
  const common = ['--test-call', '--janus', janusUrl, '--room', String(room), '--create-room',
    '--duration', '40', '--ice-address', addr];
  const t0 = Date.now();
  const receiver = start(args.kiosk, [...common, '--display', 'receiver', '--receive-dir', inbox]);
  const sender = start(args.kiosk, [...common, '--display', 'sender', '--send-file', file]);
  const result = { bytes: contents.length };
  try {
    // Renamed into the inbox once its hash matched (a hidden file until then).
    result.deliveredAfterStartMs = (await until(() => fs.existsSync(path.join(inbox, name)) || sender.code !== null, 45000,
      'the file in the receive directory')) - t0;
    await until(() => sender.err.includes(ACKED) || sender.code !== null, 45000, 'the acknowledgement');
  } catch (e) {
    result.error = String(e.message || e);
  }
  for (const k of [sender, receiver]) if (k.code === null) k.child.kill('SIGTERM');
  await Promise.all([sender.exited, receiver.exited]);
  const sent = lastJson(sender.out) || {};
  const got = lastJson(receiver.out) || {};
  const entry = (got.received || [])[0] || {};
  const hashStart = process.hrtime.bigint();
  let onDisk = null;
  try { onDisk = sha256(fs.readFileSync(path.join(inbox, name))); } catch { /* missing */ }
  result.hashCheckMs = Number(process.hrtime.bigint() - hashStart) / 1e6;
  result.sendMs = sent.send_ms ?? null;
  result.acknowledged = sent.acknowledged === true;
  result.hashOk = result.acknowledged && sent.sent_sha256 === want && entry.sha256 === want && onDisk === want &&
    entry.size === contents.length;
  if (!result.hashOk && !result.error)
    result.error = `not delivered intact: sender ${JSON.stringify(sent).slice(0, 300)} receiver ${JSON.stringify(got).slice(0, 300)} ` +
      sender.err.split('\n').filter((l) => l && !/^AL?SA? lib/.test(l)).slice(-4).join(' | ');
  fs.rmSync(inbox, { recursive: true, force: true });
  return result;
}

// ---------------------------------------------------------------- b: Chromium to Chromium
const routes = {
  '/bench-datachannel.html': () => [path.join(here, 'bench-datachannel.html'), 'text/html; charset=utf-8'],
  '/bench-datachannel.js': () => [path.join(here, 'bench-datachannel.js'), 'text/javascript; charset=utf-8'],
  '/janus-gateway/janus.js': () => [path.join(janusJsDir, 'janus.js'), 'text/javascript; charset=utf-8'],
  '/file.pdf': () => [servedFile, 'application/pdf'],
};
let servedFile = null;
const server = http.createServer((req, res) => {
  const route = routes[new URL(req.url, 'http://x').pathname];
  if (req.method !== 'GET' || !route) { res.writeHead(404); res.end(); return; }
  const [file, type] = route();
  fs.readFile(file, (err, body) => {
    if (err) { res.writeHead(500); res.end(); return; }
    res.writeHead(200, { 'Content-Type': type, 'Cache-Control': 'no-store' });
    res.end(body);
  });
});
await new Promise((resolve, reject) => { server.once('error', reject); server.listen(0, addr, resolve); });
const origin = `http://${addr}:${server.address().port}`;

async function chromiumToChromium(browser, janusUrl, file) {
  const room = 100000 + Math.floor(Math.random() * 800000);
  servedFile = file;
  const want = sha256(fs.readFileSync(file));
  const contexts = [await browser.newContext(), await browser.newContext()];
  const result = { bytes: fs.statSync(file).size };
  try {
    const pages = [];
    for (const [i, ctx] of contexts.entries()) {
      const page = await ctx.newPage();
      page.on('pageerror', (e) => process.stderr.write(`[page ${i}] ${e.message}\n`));
      const q = new URLSearchParams({ server: janusUrl, room: String(room), display: `page${i}` });
      await page.goto(`${origin}/bench-datachannel.html?${q}`, { waitUntil: 'load', timeout: 15000 });
      pages.push(page);
    }
    const [sender, receiver] = pages;
    const t0 = Date.now();
    for (const p of pages)
      await p.waitForFunction(() => (window.benchState.publisherOpen && window.benchState.subscribersOpen >= 1) ||
        window.benchState.error, null, { timeout: 30000 });
    result.setupMs = Date.now() - t0;
    for (const p of pages) {
      const e = await p.evaluate(() => window.benchState.error);
      if (e) throw new Error(e);
    }
    const sent = await sender.evaluate(({ chunk }) => window.benchSend('/file.pdf', chunk), { chunk: CHUNK });
    const got = await receiver.evaluate(() => window.benchState.received);
    result.sendMs = Math.round(sent.sendMs);
    result.hashCheckMs = got ? got.hashMs : null;
    result.acknowledged = true;
    result.hashOk = sent.sha256 === want && sent.ackSha256 === want && got && got.sha256 === want && got.bytes === result.bytes;
    if (!result.hashOk) result.error = 'not delivered intact';
  } catch (e) {
    result.error = String(e.message || e);
  }
  for (const ctx of contexts) await ctx.close().catch(() => {});
  return result;
}

// ---------------------------------------------------------------- c: scan to delivered
async function scanToDelivered(janusUrl) {
  const pdf = path.join(work, 'dossier.pdf');
  const t0 = Date.now();
  const d = start(args.dossier, [pdf]);
  await d.exited;
  const made = lastJson(d.out);
  if (d.code !== 0 || !made) return { error: 'bench-dossier failed: ' + d.err.slice(-300) };
  const wallScanPdfMs = Date.now() - t0;
  const sent = await kioskToKiosk(janusUrl, pdf, 'dossier.pdf');
  fs.rmSync(pdf, { force: true });
  return { ...sent, scanMs: made.scan_ms, pdfMs: made.pdf_ms, wallScanPdfMs, pdfBytes: made.bytes,
    totalMs: made.scan_ms.reduce((a, b) => a + b, 0) + made.pdf_ms + (sent.sendMs ?? NaN) + sent.hashCheckMs };
}

// ---------------------------------------------------------------- the runs
// The 4 MiB "PDF": a PDF header (the kiosk sends PDF and JPEG only), then
// random bytes, as a scanned dossier compresses.
const bigFile = path.join(work, 'document.pdf');
{
  const buf = crypto.randomBytes(size);
  Buffer.from('%PDF-1.5\n').copy(buf);
  fs.writeFileSync(bigFile, buf);
}

const janus = await startJanus({ addr, sessionTimeout: 60 });
const browser = await chromium.launch({
  executablePath: args.chromium,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${addr}`,
    '--disable-features=WebRtcHideLocalIpsWithMdns,MediaRouter,DialMediaRouteProvider,OptimizationHints,Translate',
    `--unsafely-treat-insecure-origin-as-secure=${origin}`],
});
const results = [];
try {
  process.stderr.write(`bench: ${runs} run(s), ${(size / 1048576).toFixed(1)} MiB file, Janus at ${janus.url}\n`);
  for (let i = 0; i < runs; i++) {
    process.stderr.write(`bench: run ${i + 1}: kiosk → kiosk…\n`);
    const kiosk = await kioskToKiosk(janus.url, bigFile, 'document.pdf');
    process.stderr.write(`bench: run ${i + 1}: Chromium → Chromium…\n`);
    const browserRun = await chromiumToChromium(browser, janus.url, bigFile);
    process.stderr.write(`bench: run ${i + 1}: scan → delivered…\n`);
    const dossier = await scanToDelivered(janus.url);
    results.push({ run: i + 1, kiosk, chromium: browserRun, dossier });
  }
} finally {
  await browser.close().catch(() => {});
  await janus.stop();
  server.close();
  fs.rmSync(work, { recursive: true, force: true });
}

const kbps = (r) => (r && r.hashOk && r.sendMs > 0 ? r.bytes / r.sendMs : null); // bytes/ms = KB/s
for (const r of results) {
  r.kioskKBps = kbps(r.kiosk);
  r.chromiumKBps = kbps(r.chromium);
  r.ratio = r.kioskKBps && r.chromiumKBps ? r.kioskKBps / r.chromiumKBps : null;
}

if (args.json) {
  process.stdout.write(JSON.stringify({ bytes: size, results }) + '\n');
} else {
  const fmt = (v, d = 0) => (typeof v === 'number' && Number.isFinite(v) ? v.toFixed(d) : '—');
  const rows = [['', ...results.map((r) => `run ${r.run}`)]];
  const row = (label, f) => rows.push([label, ...results.map(f)]);
  row(`a. kiosk → kiosk, ${fmt(size / 1e6, 1)} MB: send (ms)`, (r) => fmt(r.kiosk.sendMs));
  row('   KB/s', (r) => fmt(r.kioskKBps));
  row('b. Chromium → Chromium: send (ms)', (r) => fmt(r.chromium.sendMs));
  row('   KB/s', (r) => fmt(r.chromiumKBps));
  row('   kiosk / Chromium', (r) => fmt(r.ratio, 2));
  row('c. scan 3 pages (ms)', (r) => (r.dossier.scanMs ? r.dossier.scanMs.map((v) => fmt(v)).join('+') : '—'));
  row('   PDF (ms)', (r) => fmt(r.dossier.pdfMs));
  row('   PDF size (KB)', (r) => fmt(r.dossier.pdfBytes / 1000, 1));
  row('   sent → acknowledged (ms)', (r) => fmt(r.dossier.sendMs));
  row('   hash check of the received file (ms)', (r) => fmt(r.dossier.hashCheckMs, 1));
  row('   scan → delivered, call up (ms)', (r) => fmt(r.dossier.totalMs));
  row('   kiosks started → file delivered (ms)', (r) => fmt(r.dossier.deliveredAfterStartMs));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((x) => String(x[i]).length)));
  for (const x of rows) process.stdout.write(x.map((v, i) => String(v).padEnd(widths[i])).join('  ') + '\n');
  for (const r of results)
    for (const k of ['kiosk', 'chromium', 'dossier'])
      if (r[k].error) process.stdout.write(`run ${r.run} ${k}: ${r[k].error}\n`);
  process.stdout.write('\nsend: first chunk sent → SHA-256 acknowledgement back at the sender (the kiosk: after the ' +
    'receiver accepted the offer). KB = 1000 bytes. Chunks of 65 515 bytes both ways.\n');
}
process.exit(results.every((r) => r.kiosk.hashOk && r.chromium.hashOk && r.dossier.hashOk) ? 0 : 1);
