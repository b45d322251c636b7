// documents.js — the advisor console's Documents panel (issue 5).
//
// Documents cross the call's data channel as in common/PROTOCOL.md,
// section 6: JSON control messages in the envelope of section 5
// ({"relais":1,"type":"transfer-…"}) and binary chunks (a 20-byte header,
// then at most 65515 bytes of the file: Janus 1.1.2 drops binary messages
// of exactly 65536 bytes).
//
// - Received: the person's scanned PDF (the kiosk sends it on its
//   publisher channel, which reaches our subscriber). Each one is listed
//   with its name, size, pages, a preview (the browser's own PDF view of a
//   blob: URL), a download link, and its SHA-256 computed here
//   (crypto.subtle) and compared with the offer's: shown as verified, or
//   refused (transfer-refuse bad-hash) and not listed.
// - "Demander un document": an ask-document envelope.
// - "Envoyer à imprimer": a PDF picked here goes to the kiosk (offer,
//   chunks paced on the channel's bufferedAmount, transfer-done), done once
//   the kiosk's transfer-ack carries the same SHA-256.
//
// console.js calls window.relaisDocuments.receive(data) first for every
// message from the kiosk (true: it was ours, not a chat line),
// .callStarted() when a kiosk is taken and .callEnded() when the call ends;
// it lends its publisher handle as window.relaisConsole.publisherHandle().
// window.relaisDocuments.state is read by the tests.
//
// SPDX-License-Identifier: GPL-2.0-or-later

(function () {
  const PROTOCOL = 1;
  const LABEL = 'JanusDataChannel';
  const HEADER = 20;
  const CHUNK = 65515;                  // 20 + 65515 = 65535 bytes on the wire
  const MAX_RECEIVE = 50 * 1024 * 1024;
  const MAX_INCOMING = 3;                     // transfers being received at once
  const MAX_SESSION = 100 * 1024 * 1024;      // bytes received (and being received) in one call
  const NAME_MAX = 120;                       // bytes of UTF-8, as the kiosk (RELAIS_TRANSFER_NAME_MAX)
  const HIGH_WATER = 1024 * 1024;       // bufferedAmount we wait under
  const REOFFER_MS = 2000;
  const ACK_MS = 60000;
  const ID_RE = /^[0-9a-f]{16}$/;
  const HASH_RE = /^[0-9a-f]{64}$/;

  const words = {
    fr: {
      title: 'Documents', ask: 'Demander un document', print: 'Envoyer à imprimer',
      none: 'Aucun document reçu pendant cet appel.',
      asked: 'Demande envoyée : la personne voit un message et l’écran pour numériser.',
      receiving: 'Réception de « {name} » : {pct} %', received: 'Document reçu : « {name} ».',
      pages: '{n} page(s)', verified: 'SHA-256 vérifiée', download: 'Télécharger', preview: 'Aperçu',
      sending: 'Envoi de « {name} » à la borne : {pct} %', waiting: 'Envoi de « {name} » : la borne n’a pas encore répondu…',
      sent: '« {name} » est arrivé à la borne (SHA-256 identique) : la personne peut l’imprimer.',
      'err.notpdf': 'Ce fichier n’est pas un PDF. Choisissez un fichier PDF.',
      'err.nocall': 'Pas d’appel en cours : prenez d’abord une personne.',
      'err.refused': 'La borne a refusé le document ({reason}).',
      'err.hash': 'Le document reçu est abîmé (SHA-256 différente) : demandez à la personne de le renvoyer.',
      'err.ended': 'L’appel est terminé : le document n’est pas parti.',
      'err.noack': 'La borne n’a pas confirmé la réception. Renvoyez le document.',
    },
    en: {
      title: 'Documents', ask: 'Ask for a document', print: 'Send to print',
      none: 'No document received during this call.',
      asked: 'Request sent: the person sees a message and the scanning screen.',
      receiving: 'Receiving "{name}": {pct} %', received: 'Document received: "{name}".',
      pages: '{n} page(s)', verified: 'SHA-256 verified', download: 'Download', preview: 'Preview',
      sending: 'Sending "{name}" to the kiosk: {pct} %', waiting: 'Sending "{name}": the kiosk has not answered yet…',
      sent: '"{name}" reached the kiosk (same SHA-256): the person can print it.',
      'err.notpdf': 'This file is not a PDF. Choose a PDF file.',
      'err.nocall': 'No call in progress: take a person first.',
      'err.refused': 'The kiosk refused the document ({reason}).',
      'err.hash': 'The document received is damaged (different SHA-256): ask the person to send it again.',
      'err.ended': 'The call has ended: the document was not sent.',
      'err.noack': 'The kiosk did not confirm receipt. Send the document again.',
    },
  };
  const t = (key, vars) => {
    const lang = document.documentElement.lang === 'en' ? 'en' : 'fr';
    return String(words[lang][key] ?? words.fr[key]).replace(/\{(\w+)\}/g, (_, k) => (vars && k in vars ? vars[k] : ''));
  };
  const $ = (id) => document.getElementById(id);

  const state = {
    received: [],          // {id, name, size, pages, sha256, offered, verified, url, receivedAt}
    sent: [],              // {id, name, size, sha256, acked, startedAt, ackedAt}
    status: null,
    lastError: null,
    asked: 0,
  };
  const incoming = new Map();   // id → {offer, next, parts, bytes}: at most MAX_INCOMING
  const outgoing = new Map();   // id → {offer, bytes, resolve, reject, started, timer}
  let chain = Promise.resolve();

  // ---------------------------------------------------------------- helpers
  function hex(buf) {
    return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  }
  async function sha256(buf) { return hex(await crypto.subtle.digest('SHA-256', buf)); }
  function sizeText(n) {
    if (n < 1024) return `${n} o`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} Ko`;
    return `${(n / 1024 / 1024).toFixed(1)} Mo`;
  }
  // Pages of a PDF: its page objects (cairo writes them uncompressed).
  function countPages(bytes) {
    const text = new TextDecoder('latin1').decode(bytes);
    const m = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g);
    return m ? m.length : 0;
  }
  function pub() {
    const c = window.relaisConsole;
    return c && c.publisherHandle ? c.publisherHandle() : null;
  }
  function channel() {
    const h = pub();
    const ws = h && h.webrtcStuff;
    return ws && ws.dataChannel ? ws.dataChannel[LABEL] : null;
  }
  function sendText(obj) {
    const h = pub();
    if (!h) return false;
    h.data({ text: JSON.stringify({ relais: PROTOCOL, ...obj }), error: () => {} });
    return true;
  }
  function setStatus(text, isError) {
    state.status = text;
    if (isError) state.lastError = text;
    const el = $('doc-status');
    if (!el) return;
    el.textContent = text || '';
    el.className = isError ? 'error' : '';
  }

  // ---------------------------------------------------------------- receiving
  function receive(data) {
    if (typeof data === 'string') {
      let m;
      try { m = JSON.parse(data); } catch { return false; }
      if (!m || typeof m !== 'object' || m.relais !== PROTOCOL || typeof m.type !== 'string' || !m.type.startsWith('transfer-')) return false;
      chain = chain.then(() => onMessage(m)).catch((e) => setStatus(String(e), true));
      return true;
    }
    if (data instanceof ArrayBuffer || data instanceof Blob) {
      chain = chain.then(async () => onChunk(data instanceof Blob ? await data.arrayBuffer() : data))
        .catch((e) => setStatus(String(e), true));
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- what a document may be
  // The types of PROTOCOL.md 6.1, each with how its bytes start and the
  // extension a file of it gets here, whatever its name says.
  const TYPES = {
    'application/pdf': { magic: [0x25, 0x50, 0x44, 0x46, 0x2d], ext: 'pdf', also: [] },   // %PDF-
    'image/jpeg': { magic: [0xff, 0xd8, 0xff], ext: 'jpg', also: ['jpeg'] },
  };

  // The kiosk's rule (relais_transfer_name_is_valid): 1 to 120 bytes of
  // UTF-8; no '/', '\\', '..'; no control, format (bidirectional overrides,
  // zero-width), line or paragraph separator, private-use, unassigned or
  // lone surrogate character; not starting with '.' or a space, not ending
  // with a space.
  const BAD_CHAR = /[/\\\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Co}\p{Cn}\p{Cs}]/u;
  function nameIsValid(name) {
    if (typeof name !== 'string' || name.length === 0) return false;
    if (BAD_CHAR.test(name)) return false;
    const bytes = new TextEncoder().encode(name).length;
    if (bytes > NAME_MAX) return false;
    if (name.startsWith('.') || name.startsWith(' ') || name.endsWith(' ') || name.includes('..')) return false;
    return true;
  }

  // The name a received file is shown and saved under: the sender's, with
  // the extension of its type (an extension of another type is replaced:
  // "facture.exe" sent as a PDF is "facture.pdf").
  function fileNameFor(name, mime) {
    const type = TYPES[mime];
    const m = name.match(/^(.+)\.([\p{L}\p{N}]{1,10})$/u);
    if (m && /\p{L}/u.test(m[2])) {
      const ext = m[2].toLowerCase();
      if (ext === type.ext || type.also.includes(ext)) return name;
      return `${m[1]}.${type.ext}`;
    }
    return `${name}.${type.ext}`;
  }

  function magicMatches(mime, bytes) {
    const type = TYPES[mime];
    const b = new Uint8Array(bytes);
    return !!type && b.length >= type.magic.length && type.magic.every((v, k) => b[k] === v);
  }

  // Why an offer is refused (a PROTOCOL.md 6.1 reason), or null.
  function offerProblem(m) {
    if (typeof m.mime !== 'string' || !Object.prototype.hasOwnProperty.call(TYPES, m.mime)) return 'bad-type';
    if (!nameIsValid(m.name)) return 'bad-name';
    if (!Number.isInteger(m.size) || m.size < 1 || !Number.isInteger(m.chunk_size)
        || m.chunk_size < 1024 || m.chunk_size > CHUNK || !HASH_RE.test(m.sha256 || '')) return 'bad-message';
    if (m.size > MAX_RECEIVE) return 'too-large';
    return null;
  }

  // Bytes this call holds or is promised: what was received, and the
  // offers being received.
  function sessionBytes() {
    let n = 0;
    for (const d of state.received) n += d.size;
    for (const cur of incoming.values()) n += cur.offer.size;
    return n;
  }

  async function onMessage(m) {
    if (!ID_RE.test(m.id || '')) return;
    switch (m.type) {
      case 'transfer-offer': {
        const done = state.received.find((d) => d.id === m.id);
        if (done) { sendText({ type: 'transfer-ack', id: m.id, sha256: done.sha256 }); return; }
        const problem = offerProblem(m);
        if (problem) { sendText({ type: 'transfer-refuse', id: m.id, reason: problem }); return; }
        const cur = incoming.get(m.id);
        if (cur) { sendText({ type: 'transfer-resume', id: m.id, next: cur.next }); return; }
        // Busy: the kiosk offers again every 2 s and is taken once one ends.
        if (incoming.size >= MAX_INCOMING) { sendText({ type: 'transfer-refuse', id: m.id, reason: 'not-accepting' }); return; }
        if (sessionBytes() + m.size > MAX_SESSION) { sendText({ type: 'transfer-refuse', id: m.id, reason: 'too-large' }); return; }
        incoming.set(m.id, { offer: m, next: 0, parts: [], bytes: 0, n: Math.ceil(m.size / m.chunk_size), started: performance.now() });
        sendText({ type: 'transfer-accept', id: m.id, next: 0 });
        setStatus(t('receiving', { name: m.name, pct: 0 }));
        return;
      }
      case 'transfer-done': {
        const cur = incoming.get(m.id);
        if (!cur) return;
        if (cur.next !== cur.n) { incoming.delete(m.id); sendText({ type: 'transfer-refuse', id: m.id, reason: 'incomplete' }); return; }
        incoming.delete(m.id);
        const blob = new Blob(cur.parts, { type: cur.offer.mime });
        const bytes = await blob.arrayBuffer();
        if (!magicMatches(cur.offer.mime, bytes)) { sendText({ type: 'transfer-refuse', id: m.id, reason: 'bad-type' }); return; }
        const hash = await sha256(bytes);
        if (hash !== cur.offer.sha256) {
          sendText({ type: 'transfer-refuse', id: m.id, reason: 'bad-hash' });
          setStatus(t('err.hash'), true);
          return;
        }
        sendText({ type: 'transfer-ack', id: m.id, sha256: hash });
        state.received.push({
          id: m.id, name: fileNameFor(cur.offer.name, cur.offer.mime), size: cur.offer.size, mime: cur.offer.mime,
          pages: cur.offer.mime === 'application/pdf' ? countPages(bytes) : 1,
          sha256: hash, offered: cur.offer.sha256, verified: true,
          url: URL.createObjectURL(blob), receivedAt: Date.now(),
          receiveMs: Math.round(performance.now() - cur.started),
        });
        setStatus(t('received', { name: fileNameFor(cur.offer.name, cur.offer.mime) }));
        render();
        return;
      }
      case 'transfer-cancel':
        incoming.delete(m.id);
        return;
      // Answers to what we send.
      case 'transfer-accept':
      case 'transfer-resume':
      case 'transfer-refuse':
      case 'transfer-ack': {
        const out = outgoing.get(m.id);
        if (out) out.onAnswer(m);
        return;
      }
      default:
    }
  }

  function onChunk(buf) {
    if (buf.byteLength <= HEADER || buf.byteLength > HEADER + CHUNK) return;
    const v = new DataView(buf);
    if (v.getUint32(0) !== 0x524c5458 || v.getUint8(4) !== 1 || v.getUint8(5) || v.getUint8(6) || v.getUint8(7)) return;
    const id = hex(buf.slice(8, 16));
    const index = v.getUint32(16);
    const cur = incoming.get(id);
    if (!cur) return;
    const fail = (reason) => { incoming.delete(id); sendText({ type: 'transfer-refuse', id, reason }); };
    if (index > cur.next) { fail('out-of-order'); return; }
    if (index < cur.next) { fail('duplicate'); return; }
    const len = buf.byteLength - HEADER;
    const want = index < cur.n - 1 ? cur.offer.chunk_size : cur.offer.size - cur.offer.chunk_size * (cur.n - 1);
    if (len !== want) { fail('bad-chunk'); return; }
    // The bytes must be what the offer says: %PDF-, FF D8 FF.
    if (index === 0 && !magicMatches(cur.offer.mime, buf.slice(HEADER, HEADER + 8))) { fail('bad-type'); return; }
    cur.parts.push(buf.slice(HEADER));
    cur.next += 1;
    cur.bytes += len;
    setStatus(t('receiving', { name: cur.offer.name, pct: Math.floor((100 * cur.bytes) / cur.offer.size) }));
  }

  function render() {
    const list = $('doc-list');
    if (!list) return;
    list.replaceChildren();
    $('doc-none').hidden = state.received.length > 0;
    for (const d of state.received) {
      const li = document.createElement('li');
      li.dataset.sha256 = d.sha256;
      const name = document.createElement('strong');
      name.textContent = d.name;
      const meta = document.createElement('span');
      meta.className = 'doc-meta';
      meta.textContent = ` ${sizeText(d.size)} · ${t('pages', { n: d.pages })} · `;
      const ok = document.createElement('span');
      ok.className = 'doc-verified';
      ok.title = d.sha256;
      ok.textContent = `✔ ${t('verified')} (${d.sha256.slice(0, 16)}…)`;
      const view = document.createElement('button');
      view.type = 'button';
      view.className = 'small';
      view.textContent = t('preview');
      view.addEventListener('click', () => preview(d));
      const dl = document.createElement('a');
      dl.href = d.url;
      dl.download = d.name;
      dl.className = 'doc-download';
      dl.textContent = t('download');
      li.append(name, meta, ok, document.createElement('br'), view, ' ', dl);
      list.appendChild(li);
    }
    const last = state.received[state.received.length - 1];
    if (last) preview(last);
  }

  function preview(d) {
    const frame = $('doc-preview');
    if (!frame) return;
    frame.hidden = false;
    if (frame.dataset.url !== d.url) { frame.dataset.url = d.url; frame.src = d.url; }
  }

  // ---------------------------------------------------------------- sending
  function waitBuffer(ch) {
    if (!ch || ch.bufferedAmount < HIGH_WATER) return Promise.resolve();
    return new Promise((resolve) => {
      ch.bufferedAmountLowThreshold = HIGH_WATER / 2;
      const done = () => { ch.removeEventListener('bufferedamountlow', done); clearInterval(poll); resolve(); };
      const poll = setInterval(() => { if (ch.bufferedAmount < HIGH_WATER) done(); }, 50);
      ch.addEventListener('bufferedamountlow', done);
    });
  }

  function safeName(name) {
    const n = String(name || '').normalize('NFC');
    return /^[\p{L}\p{N}_\-()]+[\p{L}\p{N}_\-(). ]*\.pdf$/iu.test(n) && n.length <= 120 && !n.includes('..') ? n : 'document.pdf';
  }

  // Sends @file (a File or Blob) to the kiosk. Resolves with its SHA-256
  // once the kiosk acknowledged the same; rejects with a sentence.
  async function sendFile(file, name) {
    if (!pub()) throw new Error(t('err.nocall'));
    const bytes = await file.arrayBuffer();
    const head = new TextDecoder('latin1').decode(bytes.slice(0, 5));
    if (head !== '%PDF-') throw new Error(t('err.notpdf'));
    const hash = await sha256(bytes);
    let id;
    do { id = hex(crypto.getRandomValues(new Uint8Array(8))); } while (/^0+$/.test(id));
    const offer = { type: 'transfer-offer', id, name: safeName(name || file.name), size: bytes.byteLength,
      mime: 'application/pdf', sha256: hash, chunk_size: CHUNK };
    const record = { id, name: offer.name, size: offer.size, sha256: hash, acked: false, startedAt: performance.now(), ackedAt: null };
    state.sent.push(record);
    const n = Math.ceil(offer.size / CHUNK);

    return new Promise((resolve, reject) => {
      let sending = false;
      const out = { offer, bytes };
      const finish = (err) => {
        clearInterval(out.timer);
        clearTimeout(out.timer);
        outgoing.delete(id);
        if (err) { setStatus(err, true); reject(new Error(err)); } else resolve(hash);
      };
      out.fail = finish;
      const sendFrom = async (next) => {
        if (sending) return;
        sending = true;
        clearInterval(out.timer);
        for (let i = next; i < n; i++) {
          if (!outgoing.has(id)) return;
          const h = pub();
          if (!h) { finish(t('err.ended')); return; }
          await waitBuffer(channel());
          const start = i * CHUNK;
          const data = new Uint8Array(bytes, start, Math.min(CHUNK, offer.size - start));
          const msg = new Uint8Array(HEADER + data.length);
          const v = new DataView(msg.buffer);
          v.setUint32(0, 0x524c5458);
          v.setUint8(4, 1);
          for (let b = 0; b < 8; b++) msg[8 + b] = parseInt(id.slice(2 * b, 2 * b + 2), 16);
          v.setUint32(16, i);
          msg.set(data, HEADER);
          h.data({ data: msg.buffer, error: () => {} });
          setStatus(t('sending', { name: offer.name, pct: Math.floor((100 * (i + 1)) / n) }));
        }
        sendText({ type: 'transfer-done', id });
        sending = false;
        // The kiosk checks the hash at once: no answer means it is gone.
        out.timer = setTimeout(() => { if (outgoing.has(id)) finish(t('err.noack')); }, ACK_MS);
      };
      out.onAnswer = (m) => {
        if (m.type === 'transfer-accept' || m.type === 'transfer-resume') {
          if (Number.isInteger(m.next) && m.next >= 0 && m.next <= n) sendFrom(m.next);
        } else if (m.type === 'transfer-refuse') {
          // "not-accepting": another participant; keep offering.
          if (m.reason !== 'not-accepting' && m.reason !== 'unknown-transfer') finish(t('err.refused', { reason: String(m.reason) }));
        } else if (m.type === 'transfer-ack' && m.sha256 === hash) {
          record.acked = true;
          record.ackedAt = performance.now();
          setStatus(t('sent', { name: offer.name }));
          finish(null);
        }
      };
      outgoing.set(id, out);
      setStatus(t('waiting', { name: offer.name }));
      sendText(offer);
      out.timer = setInterval(() => { if (!sending) sendText(offer); }, REOFFER_MS);
    });
  }

  // ---------------------------------------------------------------- the panel
  function ask() {
    if (!sendText({ type: 'ask-document' })) { setStatus(t('err.nocall'), true); return; }
    state.asked += 1;
    setStatus(t('asked'));
  }

  function callStarted() {
    for (const d of state.received) URL.revokeObjectURL(d.url);
    state.received = [];
    state.sent = [];
    state.lastError = null;
    incoming.clear();
    const frame = $('doc-preview');
    if (frame) { frame.hidden = true; frame.removeAttribute('src'); delete frame.dataset.url; }
    setStatus(null);
    render();
  }

  function callEnded() {
    incoming.clear();
    for (const out of [...outgoing.values()]) out.fail(t('err.ended'));
  }

  function applyWords() {
    document.querySelectorAll('[data-doc-t]').forEach((el) => { el.textContent = t(el.dataset.docT); });
    render();
  }

  function init() {
    if (!$('documents')) return;
    $('doc-ask').addEventListener('click', ask);
    $('doc-print').addEventListener('click', () => $('doc-file').click());
    $('doc-file').addEventListener('change', () => {
      const f = $('doc-file').files[0];
      $('doc-file').value = '';
      if (f) sendFile(f).catch(() => {});
    });
    // console.js switches <html lang>; the panel follows at once (a
    // mutation observer runs before the click's task ends).
    new MutationObserver(applyWords).observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
    applyWords();
  }

  window.relaisDocuments = {
    state, receive, sendFile, ask, callStarted, callEnded,
    // For tests/advisor/test-documents-unit.mjs.
    rules: { nameIsValid, fileNameFor, magicMatches, MAX_INCOMING, MAX_SESSION },
    settled: () => chain,
  };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init); else init();
})();
