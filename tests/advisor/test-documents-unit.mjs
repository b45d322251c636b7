#!/usr/bin/env node
// test-documents-unit.mjs — the console's documents.js in node alone (TAP):
// what a kiosk may send to the advisor's PC. The file is loaded as the page
// loads it, with a stand-in for the publisher handle that records what the
// console answers; offers and chunks go in through relaisDocuments.receive()
// as the data channel would give them.
//
//   node tests/advisor/test-documents-unit.mjs
//
// Checks: the kiosk's name rules (bidirectional overrides, zero-width and
// other format characters, a leading dot, separators, private-use…) are
// refused as bad-name; a type outside PROTOCOL.md 6.1 as bad-type; bytes
// that do not start as the type says (%PDF-, FF D8 FF) as bad-type; the
// saved name takes the extension of its type; at most MAX_INCOMING
// transfers at once (not-accepting beyond, taken once one ends) and at most
// MAX_SESSION bytes per call (too-large beyond).
//
// SPDX-License-Identifier: GPL-2.0-or-later

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { root, ok, note, done, until, startWatchdog } from './tap-harness.mjs';

startWatchdog(60);
console.log('TAP version 13');

// ---------------------------------------------------------------- the page, as far as documents.js sees it
// documents.js hashes with the browser's crypto.subtle: a global from
// Node 19 on; Debian 12's Node 18 has it only as node:crypto's webcrypto
// (without this the first acknowledgement never came, in a fresh root).
if (!globalThis.crypto) globalThis.crypto = crypto.webcrypto;
const sent = [];            // what the console sent: parsed JSON
globalThis.window = {
  relaisConsole: {
    publisherHandle: () => ({
      data: ({ text }) => { if (text !== undefined) sent.push(JSON.parse(text)); },
      webrtcStuff: {},
    }),
  },
};
globalThis.document = {
  readyState: 'complete',
  documentElement: { lang: 'fr' },
  getElementById: () => null,
  querySelectorAll: () => [],
  addEventListener: () => {},
};
vm.runInThisContext(fs.readFileSync(path.join(root, 'data', 'advisor', 'documents.js'), 'utf8'), { filename: 'documents.js' });
const docs = window.relaisDocuments;
ok(docs && typeof docs.receive === 'function', 'documents.js loads in node and exposes relaisDocuments');
docs.callStarted();

// ---------------------------------------------------------------- the kiosk's side of the wire
const MIB = 1024 * 1024;
const CHUNK = 65515;
let idCounter = 1;
const newId = () => (idCounter++).toString(16).padStart(16, '0');
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const offerFor = (id, name, mime, bytes, size = bytes.length) => ({
  relais: 1, type: 'transfer-offer', id, name, size, mime, sha256: sha(bytes), chunk_size: CHUNK,
});
function chunk(id, index, data) {
  const msg = new Uint8Array(20 + data.length);
  const v = new DataView(msg.buffer);
  v.setUint32(0, 0x524c5458);
  v.setUint8(4, 1);
  msg.set(Buffer.from(id, 'hex'), 8);
  v.setUint32(16, index);
  msg.set(data, 20);
  return msg.buffer;
}
// The console's last answer about @id (after @since), waited for.
async function answer(id, since, ms = 10000) {
  return until(() => sent.slice(since).reverse().find((m) => m.id === id), ms, 5);
}
async function offer(m) {
  const since = sent.length;
  docs.receive(JSON.stringify(m));
  return answer(m.id, since);
}
// Offers @bytes as (@name, @mime) and, once accepted, sends every chunk and
// transfer-done. Returns the console's last answer.
async function transfer(name, mime, bytes) {
  const id = newId();
  const first = await offer(offerFor(id, name, mime, bytes));
  if (!first || first.type !== 'transfer-accept') return { id, answer: first };
  const since = sent.length;
  for (let i = 0, k = 0; i < bytes.length; i += CHUNK, k++) docs.receive(chunk(id, k, bytes.subarray(i, i + CHUNK)));
  docs.receive(JSON.stringify({ relais: 1, type: 'transfer-done', id }));
  return { id, answer: await answer(id, since, 30000) };
}
const pdf = (n, fill = 0x20) => { const b = Buffer.alloc(n, fill); b.write('%PDF-1.5\n'); return b; };
const jpeg = (n) => { const b = Buffer.alloc(n, 0x11); b.set([0xff, 0xd8, 0xff, 0xe0]); return b; };
const said = (a) => (a ? `${a.type}${a.reason ? ' ' + a.reason : ''}` : 'no answer');

// ---------------------------------------------------------------- names
const badNames = [
  ['fdp\u202Eexe.pdf', 'a right-to-left override (reads "fdpfdp.exe")'],
  ['dossier\u200B.pdf', 'a zero-width space (format)'],
  ['\u2066dossier.pdf', 'a left-to-right isolate (format)'],
  ['dossier\u00AD.pdf', 'a soft hyphen (format)'],
  ['.bashrc', 'a leading dot'],
  [' dossier.pdf', 'a leading space'],
  ['dossier.pdf ', 'a trailing space'],
  ['a..pdf', "'..'"],
  ['a/b.pdf', "'/'"],
  ['a\\b.pdf', "'\\'"],
  ['a\u0000.pdf', 'a NUL'],
  ['a\u0007b.pdf', 'a control character'],
  ['a\u0085b.pdf', 'a C1 control character'],
  ['a\u2028b.pdf', 'a line separator'],
  ['a\u2029b.pdf', 'a paragraph separator'],
  ['\uE000.pdf', 'a private-use character'],
  ['a\u0378.pdf', 'an unassigned code point'],
  ['a\uD800.pdf', 'a lone surrogate'],
  ['é'.repeat(59) + '.pdf', 'more than 120 bytes of UTF-8 (118 + 4)'],
  ['', 'an empty name'],
];
for (const [name, what] of badNames) {
  const bytes = pdf(2000);
  const a = await offer(offerFor(newId(), name, 'application/pdf', bytes));
  ok(a && a.type === 'transfer-refuse' && a.reason === 'bad-name', `a name with ${what} is refused as bad-name (${said(a)})`);
}
for (const name of ['dossier.pdf', 'Relevé de compte (mars) 2024.pdf', 'é'.repeat(58) + '.pdf', 'Facture n° 12 – EDF.pdf']) {
  const id = newId();
  const a = await offer(offerFor(id, name, 'application/pdf', pdf(2000)));
  ok(a && a.type === 'transfer-accept', `"${name}" is accepted (${said(a)})`);
  docs.receive(JSON.stringify({ relais: 1, type: 'transfer-cancel', id, reason: 'cancelled' }));
}

// ---------------------------------------------------------------- types and bytes
for (const mime of ['application/x-msdownload', 'text/html', 'image/png', 'application/pdf ', 'APPLICATION/PDF']) {
  const a = await offer(offerFor(newId(), 'dossier.pdf', mime, pdf(2000)));
  ok(a && a.type === 'transfer-refuse' && a.reason === 'bad-type', `the type "${mime}" is refused as bad-type (${said(a)})`);
}
{
  const exe = Buffer.alloc(3000, 0x41);
  exe.write('MZ\x90\x00');
  let r = await transfer('dossier.pdf', 'application/pdf', exe);
  ok(r.answer && r.answer.type === 'transfer-refuse' && r.answer.reason === 'bad-type',
    `a "PDF" whose bytes start with MZ is refused as bad-type (${said(r.answer)})`);
  const png = Buffer.alloc(3000, 0x41);
  png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  r = await transfer('photo.jpg', 'image/jpeg', png);
  ok(r.answer && r.answer.type === 'transfer-refuse' && r.answer.reason === 'bad-type',
    `a "JPEG" whose bytes are a PNG's is refused as bad-type (${said(r.answer)})`);
  r = await transfer('photo.jpg', 'image/jpeg', pdf(3000));
  ok(r.answer && r.answer.type === 'transfer-refuse' && r.answer.reason === 'bad-type',
    `a "JPEG" whose bytes are a PDF's is refused as bad-type (${said(r.answer)})`);
  ok(!docs.state.received.length, `nothing refused is listed (${docs.state.received.length} received)`);
}
{
  const cases = [
    ['facture.exe', 'application/pdf', pdf(5000), 'facture.pdf'],
    ['facture.PDF', 'application/pdf', pdf(5000), 'facture.PDF'],
    ['scan.pdf', 'image/jpeg', jpeg(5000), 'scan.jpg'],
    ['photo', 'image/jpeg', jpeg(5000), 'photo.jpg'],
    ['photo.jpeg', 'image/jpeg', jpeg(5000), 'photo.jpeg'],
    ['relevé 12.05.2024', 'application/pdf', pdf(5000), 'relevé 12.05.2024.pdf'],
    ['lettre.html', 'application/pdf', pdf(CHUNK * 2 + 17), 'lettre.pdf'],
  ];
  for (const [name, mime, bytes, want] of cases) {
    const r = await transfer(name, mime, bytes);
    const got = docs.state.received.find((d) => d.id === r.id);
    ok(r.answer && r.answer.type === 'transfer-ack' && got && got.name === want,
      `"${name}" sent as ${mime} is kept as "${got ? got.name : '-'}" (${said(r.answer)}; want "${want}")`);
  }
}

// ---------------------------------------------------------------- bounds
docs.callStarted();
{
  const max = docs.rules ? docs.rules.MAX_INCOMING : 3;
  const ids = [];
  for (let k = 0; k < max; k++) {
    const id = newId();
    const a = await offer(offerFor(id, `d${k}.pdf`, 'application/pdf', pdf(4000)));
    ids.push(id);
    ok(a && a.type === 'transfer-accept', `transfer ${k + 1} of ${max} at once is accepted (${said(a)})`);
  }
  const extra = offerFor(newId(), 'de-trop.pdf', 'application/pdf', pdf(4000));
  let a = await offer(extra);
  ok(a && a.type === 'transfer-refuse' && a.reason === 'not-accepting',
    `one more transfer at once is told not-accepting, so the kiosk offers it again later (${said(a)})`);
  docs.receive(JSON.stringify({ relais: 1, type: 'transfer-cancel', id: ids[0], reason: 'cancelled' }));
  a = await offer(extra);
  ok(a && a.type === 'transfer-accept', `once one ends, the same offer again is accepted (${said(a)})`);
  for (const id of [...ids.slice(1), extra.id]) docs.receive(JSON.stringify({ relais: 1, type: 'transfer-cancel', id, reason: 'cancelled' }));
}
{
  // One call may hold MAX_SESSION bytes: what was received and what is
  // being received count.
  const total = docs.rules ? docs.rules.MAX_SESSION : 100 * MIB;
  const big = pdf(50 * MIB);
  const r = await transfer('gros.pdf', 'application/pdf', big);
  ok(r.answer && r.answer.type === 'transfer-ack', `a 50 MiB PDF is received (${said(r.answer)})`);
  const rest = total - 50 * MIB;
  const half = Math.floor(rest / 2);
  const a1 = await offer(offerFor(newId(), 'a.pdf', 'application/pdf', pdf(16), half));
  const a2 = await offer(offerFor(newId(), 'b.pdf', 'application/pdf', pdf(16), rest - half));
  ok(a1 && a1.type === 'transfer-accept' && a2 && a2.type === 'transfer-accept',
    `offers up to ${total / MIB} MiB in the call are accepted (${said(a1)}, ${said(a2)})`);
  const a3 = await offer(offerFor(newId(), 'c.pdf', 'application/pdf', pdf(2000)));
  ok(a3 && a3.type === 'transfer-refuse' && a3.reason === 'too-large',
    `an offer past ${total / MIB} MiB in one call is refused as too-large (${said(a3)})`);
  docs.callStarted();
  const a4 = await offer(offerFor(newId(), 'c.pdf', 'application/pdf', pdf(2000)));
  ok(a4 && a4.type === 'transfer-accept', `the next call starts from nothing (${said(a4)})`);
}
note(`${sent.length} messages answered`);
done();
