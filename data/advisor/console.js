// Relais — the advisor console (plain JavaScript, Debian's janus.js, no build).
//
// Speaks the Relais protocol version 1 (common/PROTOCOL.md) over a stock
// Janus VideoRoom: the advisor is present in the service's lobby room
// (display "relais1 advisor ready|busy <name>"), reads the kiosks waiting
// there ("relais1 kiosk …" displays, refreshed by a heartbeat), takes one by
// joining and publishing in its session room (the kiosk keeps the first
// advisor to join and kicks the others), talks, chats over the data
// channel, and ends with an
// outcome ({"relais":1,"type":"end","outcome":…}).
//
// window.relaisConsole exposes the state for the tests (read only).
//
// SPDX-License-Identifier: GPL-2.0-or-later
/* global Janus */
'use strict';

(function () {
  const PROTOCOL = 1;
  const TAG = 'relais1';
  const POLL_MS = 2000;        // lobby listing
  const STALE_MS = 12000;      // a kiosk whose heartbeat stopped this long is gone
  const BEAT_MS = 5000;        // a waiting kiosk's heartbeat period (PROTOCOL.md, section 3)
  const MAX_BEATS = 1440;      // two hours of heartbeats: how far back a beat count may date a kiosk
  const CHAT_KEEP = 200;       // chat lines kept (and shown) during a call
  const OUTCOMES = ['resolved', 'follow-up', 'redirected', 'technical-failure'];

  // ---------------------------------------------------------------- words
  const words = {
    fr: {
      title: 'Relais — console du conseiller',
      'signin.title': 'Connexion', 'signin.service': 'Service', 'signin.name': 'Votre nom (vu par la personne)',
      'signin.pin': "Code de la salle d'attente", 'signin.more': 'Réglages du serveur',
      'signin.gateway': 'Adresse du serveur de visio', 'signin.token': "Jeton d'accès (si votre service en a un)",
      'signin.go': 'Se connecter', 'signin.connecting': 'Connexion…',
      'queue.signout': 'Se déconnecter', 'queue.empty': "Personne n'attend pour l'instant. La liste se met à jour toute seule.",
      'queue.ticket': 'Ticket', 'queue.subservice': 'Demande', 'queue.site': "Point d'accueil", 'queue.waiting': 'Attente',
      'queue.title': 'Personnes en attente — {service}', 'queue.take': 'Prendre',
      'call.mute': 'Couper le micro', 'call.unmute': 'Rétablir le micro',
      'call.camera': 'Couper la caméra', 'call.camera-on': 'Rétablir la caméra',
      'call.connecting': 'Connexion à la borne…', 'call.info': 'Ticket {ticket} — {subservice} — {site}',
      'call.left': 'La personne a quitté l\'appel.',
      'call.audio-only': 'La connexion de la borne est faible : l\'image est coupée, le son continue.',
      'chat.title': 'Messages écrits', 'chat.send': 'Envoyer', 'chat.me': 'Vous', 'chat.them': 'Borne',
      'end.title': "Terminer l'appel", 'end.resolved': 'Résolu', 'end.follow-up': 'Rendez-vous de suivi',
      'end.redirected': 'Réorienté', 'end.technical-failure': 'Problème technique',
      'presence.ready': 'Disponible', 'presence.busy': 'En appel',
      'err.directory': "La liste des services (directory.json) ne se charge pas : {why}. Rechargez la page ; si cela continue, prévenez l'informatique.",
      'err.gateway': "Le serveur de visio ne répond pas ({url}). Vérifiez l'adresse dans « Réglages du serveur », puis réessayez.",
      'err.pin': "Code de la salle d'attente refusé. Vérifiez-le auprès de votre responsable.",
      'err.lobby': "La salle d'attente de ce service n'existe pas sur le serveur ({room}). Prévenez l'informatique.",
      'err.taken': 'Un autre conseiller a déjà pris cette personne.',
      'err.gone': "Cette personne n'attend plus.",
      'err.media': "La caméra ou le micro ne s'ouvrent pas : {why}. Autorisez-les dans le navigateur, puis réessayez.",
      'err.lost': 'La connexion au serveur de visio est perdue. Reconnectez-vous.',
      'err.call': "L'appel n'a pas pu se faire : {why}",
      'err.gateway-refused': "Cette adresse de serveur n'est pas celle de votre service ({url}). Gardez l'adresse proposée ou demandez à l'informatique.",
      'info.gateway-link': "Le lien donnait une autre adresse de serveur ({url}) : elle n'est pas utilisée. La console se connecte au serveur de votre service.",
      'chat.dropped': '{n} message(s) plus ancien(s) ne sont plus affichés.',
      'info.ended': 'Appel terminé ({outcome}).',
      'wait.lessmin': '{s} s', 'wait.min': '{m} min {s} s',
      lang: 'English',
    },
    en: {
      title: 'Relais — advisor console',
      'signin.title': 'Sign in', 'signin.service': 'Service', 'signin.name': 'Your name (shown to the person)',
      'signin.pin': 'Waiting room code', 'signin.more': 'Server settings',
      'signin.gateway': 'Video server address', 'signin.token': 'Access token (if your service has one)',
      'signin.go': 'Sign in', 'signin.connecting': 'Connecting…',
      'queue.signout': 'Sign out', 'queue.empty': 'Nobody is waiting right now. The list updates by itself.',
      'queue.ticket': 'Ticket', 'queue.subservice': 'Request', 'queue.site': 'Access point', 'queue.waiting': 'Waiting',
      'queue.title': 'People waiting — {service}', 'queue.take': 'Take',
      'call.mute': 'Mute microphone', 'call.unmute': 'Unmute microphone',
      'call.camera': 'Turn camera off', 'call.camera-on': 'Turn camera on',
      'call.connecting': 'Connecting to the kiosk…', 'call.info': 'Ticket {ticket} — {subservice} — {site}',
      'call.left': 'The person left the call.',
      'call.audio-only': 'The kiosk\'s connection is weak: the picture is off, the sound goes on.',
      'chat.title': 'Written messages', 'chat.send': 'Send', 'chat.me': 'You', 'chat.them': 'Kiosk',
      'end.title': 'End the call', 'end.resolved': 'Resolved', 'end.follow-up': 'Follow-up appointment',
      'end.redirected': 'Redirected', 'end.technical-failure': 'Technical problem',
      'presence.ready': 'Available', 'presence.busy': 'In a call',
      'err.directory': 'The service list (directory.json) does not load: {why}. Reload the page; if it goes on, tell IT.',
      'err.gateway': 'The video server does not answer ({url}). Check the address in "Server settings", then try again.',
      'err.pin': 'Waiting room code refused. Check it with your manager.',
      'err.lobby': "This service's waiting room does not exist on the server ({room}). Tell IT.",
      'err.taken': 'Another advisor already took this person.',
      'err.gone': 'This person is no longer waiting.',
      'err.media': 'The camera or microphone does not open: {why}. Allow them in the browser, then try again.',
      'err.lost': 'The connection to the video server is lost. Sign in again.',
      'err.call': 'The call could not be made: {why}',
      'err.gateway-refused': "This server address is not your service's ({url}). Keep the address offered, or ask IT.",
      'info.gateway-link': "The link gave another server address ({url}): it is not used. The console connects to your service's server.",
      'chat.dropped': '{n} older message(s) are no longer shown.',
      'info.ended': 'Call ended ({outcome}).',
      'wait.lessmin': '{s} s', 'wait.min': '{m} min {s} s',
      lang: 'Français',
    },
  };
  const q = new URLSearchParams(location.search);
  let lang = q.get('lang') === 'en' ? 'en' : 'fr';
  const t = (key, vars) => String(words[lang][key] ?? words.fr[key] ?? key)
    .replace(/\{(\w+)\}/g, (_, k) => (vars && vars[k] !== undefined ? vars[k] : ''));
  const $ = (id) => document.getElementById(id);

  function applyWords() {
    document.documentElement.lang = lang;
    document.title = t('title');
    document.querySelectorAll('[data-t]').forEach((el) => { el.textContent = t(el.dataset.t); });
    $('lang').textContent = t('lang');
    renderChatDropped();
    renderPresence();
    renderQueue();
    renderControls();
  }

  // ---------------------------------------------------------------- state
  const state = {
    phase: 'signin',          // signin | queue | taking | call
    service: null,            // the directory's service object
    name: '',
    kiosks: new Map(),        // participant id → {tag, seenBeatAt, firstSeen, since}
    current: null,            // the kiosk taken {id, tag}
    kioskFeed: null,          // its feed in the session room (the publisher with its kiosk tag)
    muted: false,
    cameraOff: false,
    framesDecoded: 0,
    dataOpen: false,
    chat: [],                 // {from: 'me'|'them', text}: the last CHAT_KEEP lines
    chatDropped: 0,           // older lines let go during this call
    errors: [],
    lastError: null,
    lastInfo: null,
    outcomeSent: null,
    takeRequestedAt: null,
    firstFrameAt: null,
    kioskAudioOnly: false,    // the kiosk said its link carries sound only
  };
  window.relaisConsole = state;
  state.publisherHandle = () => pub;   // documents.js sends on it

  let directory = null;
  let janus = null;
  let lobby = null;           // handle in the lobby room
  let pub = null;             // publisher handle in the session room
  let sub = null;             // subscriber handle to the kiosk's feed
  let sessionPin = null;
  let privateId = null;       // ours in the session room: its subscriptions need it (require_pvtid)
  let pollTimer = null;

  let bannerTimer = null;
  function banner(kind, text) {
    const el = $('banner');
    clearTimeout(bannerTimer);
    if (!text) { el.hidden = true; return; }
    el.className = kind;
    el.textContent = text;
    el.hidden = false;
    // Past news goes away by itself once signed in; sign-in problems stay
    // until the next try.
    if (state.phase !== 'signin') bannerTimer = setTimeout(() => { el.hidden = true; }, 15000);
    if (kind === 'error') { state.lastError = text; state.errors.push(text); } else state.lastInfo = text;
  }

  function show(phase) {
    state.phase = phase;
    $('signin').hidden = phase !== 'signin';
    $('queue').hidden = phase !== 'queue';
    $('call').hidden = phase !== 'call' && phase !== 'taking';
    renderPresence();
  }

  // ---------------------------------------------------------------- tags
  function esc(s) { return encodeURIComponent(String(s)); }
  function unesc(s) {
    let v;
    try { v = decodeURIComponent(s); } catch { return null; }
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u001f\u007f-\u009f]/.test(v) ? null : v;
  }
  const advisorTag = (ready) => `${TAG} advisor ${ready ? 'ready' : 'busy'} ${esc(state.name)}`;
  function parseTag(display) {
    if (typeof display !== 'string' || display.length > 512 || !display.startsWith(TAG + ' ')) return null;
    const f = display.split(' ');
    if (f.length === 8 && f[1] === 'kiosk') {
      const [ticket, subservice, site] = [unesc(f[2]), unesc(f[3]), unesc(f[4])];
      const num = (s) => (/^\d{1,16}$/.test(s) ? Number(s) : NaN);
      const arrived = num(f[5]); const room = num(f[6]); const beat = num(f[7]);
      if (ticket === null || subservice === null || site === null || !Number.isSafeInteger(arrived) ||
          !Number.isSafeInteger(room) || room <= 0 || !Number.isSafeInteger(beat)) return null;
      return { kind: 'kiosk', ticket, subservice, site, arrived, room, beat };
    }
    if (f.length === 4 && f[1] === 'advisor' && (f[2] === 'ready' || f[2] === 'busy')) {
      const name = unesc(f[3]);
      return name === null ? null : { kind: 'advisor', ready: f[2] === 'ready', name };
    }
    return null;
  }

  // The session room's pin: HMAC-SHA256(lobby pin, "relais1 session <room>"), 32 hex digits.
  async function sessionPinFor(lobbyPin, room) {
    const enc = new TextEncoder();
    const key = await crypto.subtle.importKey('raw', enc.encode(lobbyPin), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const mac = await crypto.subtle.sign('HMAC', key, enc.encode(`${TAG} session ${room}`));
    return Array.from(new Uint8Array(mac)).map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, 32);
  }

  function subserviceName(id) {
    const s = state.service && (state.service.subservices || []).find((x) => x.id === id);
    return s ? s.name : id;
  }

  function formatWait(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    if (seconds < 60) return t('wait.lessmin', { s: seconds });
    return t('wait.min', { m: Math.floor(seconds / 60), s: String(seconds % 60).padStart(2, '0') });
  }

  // ---------------------------------------------------------------- the waiting line
  function waitingKiosks() {
    const now = Date.now();
    return [...state.kiosks.entries()]
      .filter(([, k]) => now - k.seenBeatAt <= STALE_MS)
      .map(([id, k]) => ({ id, ...k }))
      // Arrival order: what this console saw (k.since, see listLobby),
      // never the kiosk's clock: a kiosk whose clock is slow or fast
      // cannot jump the line.
      .sort((a, b) => (a.since - b.since) || (a.id - b.id));
  }
  state.waiting = () => waitingKiosks().map((k) => ({ id: k.id, ticket: k.tag.ticket, subservice: k.tag.subservice,
    site: k.tag.site, room: k.tag.room, arrived: k.tag.arrived, since: k.since }));

  // Rows are rebuilt only when the list changes; the clock updates the
  // waiting times in place, so a click never lands on a row being replaced.
  let queueKey = '';
  function renderQueue() {
    if (!state.service) return;
    $('queue-title').textContent = t('queue.title', { service: state.service.name });
    const list = waitingKiosks();
    $('queue-empty').hidden = list.length > 0;
    $('queue-table').hidden = list.length === 0;
    const body = $('queue-body');
    const now = Date.now();
    const waitText = (k) => formatWait((now - k.since) / 1000);
    const key = [lang, state.phase, ...list.map((k) => `${k.id}/${k.tag.ticket}/${k.tag.subservice}/${k.tag.site}`)].join('|');
    if (key === queueKey) {
      for (const k of list) {
        const cell = body.querySelector(`tr[data-id="${k.id}"] td.wait`);
        if (cell) cell.textContent = waitText(k);
      }
      return;
    }
    queueKey = key;
    const rows = list.map((k) => {
      const tr = document.createElement('tr');
      tr.dataset.ticket = k.tag.ticket;
      tr.dataset.id = String(k.id);
      const cell = (cls, text) => { const td = document.createElement('td'); td.className = cls; td.textContent = text; tr.appendChild(td); };
      cell('ticket', k.tag.ticket);
      cell('subservice', subserviceName(k.tag.subservice));
      cell('site', k.tag.site);
      cell('wait', waitText(k));
      const td = document.createElement('td');
      const b = document.createElement('button');
      b.className = 'take';
      b.textContent = t('queue.take');
      b.disabled = state.phase !== 'queue';
      b.addEventListener('click', () => take(k.id));
      td.appendChild(b);
      tr.appendChild(td);
      return tr;
    });
    body.replaceChildren(...rows);
  }

  function renderPresence() {
    const on = state.phase === 'queue' || state.phase === 'taking' || state.phase === 'call';
    $('presence').hidden = !on;
    const ready = state.phase === 'queue';
    $('presence-dot').className = 'dot ' + (ready ? 'ready' : 'busy');
    $('presence-text').textContent = t(ready ? 'presence.ready' : 'presence.busy');
  }

  // Whether the lobby was listed since signing in: kiosks found by the
  // first listing were waiting before we came.
  let lobbyListed = false;
  function listLobby() {
    if (!lobby || !state.service) return;
    lobby.send({
      message: { request: 'listparticipants', room: state.service.lobby_room },
      success: (r) => {
        if (!r || !Array.isArray(r.participants)) return;
        const now = Date.now();
        const present = new Set();
        const before = !lobbyListed;
        lobbyListed = true;
        for (const p of r.participants) {
          const tag = parseTag(p.display);
          if (!tag || tag.kind !== 'kiosk') continue;
          present.add(p.id);
          const old = state.kiosks.get(p.id);
          // `since` orders the line and counts the wait, on our clock: when
          // we saw the kiosk come (we list at once on every joining event).
          // Those already waiting when we signed in are dated back by their
          // heartbeats (one every BEAT_MS since they came), a count that no
          // kiosk's clock skews.
          if (!old) {
            const since = before ? now - Math.min(tag.beat, MAX_BEATS) * BEAT_MS : now;
            state.kiosks.set(p.id, { tag, seenBeatAt: now, firstSeen: now, since });
          } else {
            if (old.tag.beat !== tag.beat) old.seenBeatAt = now;
            old.tag = tag;
          }
        }
        for (const id of [...state.kiosks.keys()]) if (!present.has(id)) state.kiosks.delete(id);
        renderQueue();
      },
      error: (e) => console.warn('[relais] listparticipants: ' + e),
    });
  }

  function setLobbyDisplay(ready) {
    if (lobby) lobby.send({ message: { request: 'configure', display: advisorTag(ready) } });
  }

  // ---------------------------------------------------------------- the gateway
  // The console sends the lobby pin to one gateway: its own origin's (the
  // deployment proxies Janus there, packaging/advisor-console.md) or one the
  // deployment lists in console.json ({"gateways": ["https://…/janus"]},
  // beside index.html, optional). An address from a link (?gateway=) is
  // used only when it is one of those, and is never saved.
  let gateways = [];          // console.json's list, normalised (URL.href)
  function parseGateway(text) {
    let u;
    try { u = new URL(String(text), location.href); } catch { return null; }
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) || u.username || u.password) return null;
    return u;
  }
  function gatewayAllowed(text) {
    const u = parseGateway(text);
    if (!u) return false;
    const ws = { 'http:': 'ws:', 'https:': 'wss:' }[location.protocol];
    if (u.host === location.host && (u.protocol === location.protocol || u.protocol === ws)) return true;
    return gateways.includes(u.href);
  }
  const defaultGateway = () => gateways[0] || `${location.protocol}//${location.host}/janus`;
  const shortUrl = (text) => { const v = String(text); return v.length > 120 ? v.slice(0, 120) + '…' : v; };
  function loadGateways(config) {
    const list = config && Array.isArray(config.gateways) ? config.gateways : [];
    gateways = list.map((g) => (typeof g === 'string' ? parseGateway(g) : null)).filter((u) => u).map((u) => u.href);
  }
  state.gateways = () => [...gateways];

  // ---------------------------------------------------------------- sign in
  function adapterShim() {
    if (window.adapter) return window.adapter;
    // Debian packages no adapter.js; current browsers need none of its
    // shims, janus.js only reads browserDetails.
    const ua = navigator.userAgent;
    const ff = ua.match(/Firefox\/(\d+)/);
    const ch = ua.match(/Chrom(?:e|ium)\/(\d+)/);
    const browser = ff ? 'firefox' : ch ? 'chrome' : 'safari';
    const version = parseInt((ff || ch || [0, '0'])[1], 10);
    return { browserDetails: { browser, version, supportsUnifiedPlan: true } };
  }

  function signIn(ev) {
    ev.preventDefault();
    banner(null);
    const service = (directory.services || []).find((s) => s.id === $('service').value);
    state.service = service;
    state.name = $('name').value.trim();
    const lobbyPin = $('pin').value;
    const typed = $('gateway').value.trim();
    const token = $('token').value.trim() || undefined;
    // The lobby pin goes only to the deployment's own gateways, to the
    // address as checked (janus.js gets the parsed URL, not the text).
    if (!gatewayAllowed(typed)) {
      banner('error', t('err.gateway-refused', { url: shortUrl(typed) }));
      return;
    }
    const server = parseGateway(typed).href;
    $('signin-button').disabled = true;
    $('signin-button').textContent = t('signin.connecting');
    const failSignIn = (text) => {
      banner('error', text);
      $('signin-button').disabled = false;
      $('signin-button').textContent = t('signin.go');
      if (janus) { const j = janus; janus = null; lobby = null; j.destroy({ cleanupHandles: true }); }
    };
    state.lobbyPin = lobbyPin;
    Janus.init({
      debug: q.get('debug') ? 'all' : ['warn', 'error'],
      dependencies: Janus.useDefaultDependencies({ adapter: adapterShim() }),
      callback: () => {
        janus = new Janus({
          server, token, iceServers: q.get('stun') ? [{ urls: q.get('stun') }] : [],
          success: () => attachLobby(lobbyPin, failSignIn),
          error: (e) => {
            if (state.phase === 'signin') failSignIn(t('err.gateway', { url: server }) + (e ? ` (${e})` : ''));
            else lost();
          },
          destroyed: () => {},
        });
      },
    });
  }

  function attachLobby(lobbyPin, failSignIn) {
    janus.attach({
      plugin: 'janus.plugin.videoroom',
      opaqueId: 'relais-console-lobby',
      success: (h) => {
        lobby = h;
        h.send({ message: { request: 'join', ptype: 'publisher', room: state.service.lobby_room, pin: lobbyPin, display: advisorTag(true) } });
      },
      error: (e) => failSignIn(t('err.call', { why: e })),
      onmessage: (msg) => {
        if (msg.videoroom === 'joined') {
          show('queue');
          // The service and the name only: the gateway is never kept (a
          // link's address must not stick for the next sign-in).
          try { localStorage.setItem('relais-console', JSON.stringify({ service: state.service.id, name: state.name })); } catch { /* private mode */ }
          lobbyListed = false;
          state.kiosks.clear();
          listLobby();
          clearInterval(pollTimer);
          pollTimer = setInterval(listLobby, POLL_MS);
        } else if (msg.error_code || msg.error) {
          if (state.phase !== 'signin') return;
          if (msg.error_code === 433) failSignIn(t('err.pin'));
          else if (msg.error_code === 426) failSignIn(t('err.lobby', { room: state.service.lobby_room }));
          else failSignIn(t('err.call', { why: msg.error }));
        } else if (msg.videoroom === 'event' && (msg.joining || msg.leaving || msg.display !== undefined)) {
          // Someone came, went or beat: look again now rather than at the next poll.
          listLobby();
        }
      },
    });
  }

  function lost() {
    clearInterval(pollTimer);
    lobby = null;
    endCallUi();
    show('signin');
    banner('error', t('err.lost'));
    $('signin-button').disabled = false;
    $('signin-button').textContent = t('signin.go');
  }

  // ---------------------------------------------------------------- taking a kiosk
  async function take(id) {
    const k = state.kiosks.get(id);
    if (!k || state.phase !== 'queue') return;
    banner(null);
    state.current = { id, tag: k.tag };
    state.takeRequestedAt = performance.now();
    state.firstFrameAt = null;
    state.framesDecoded = 0;
    state.chat = [];
    state.chatDropped = 0;
    state.kioskFeed = null;
    subscribing = false;
    state.outcomeSent = null;
    if (window.relaisDocuments) window.relaisDocuments.callStarted();
    $('chat-log').replaceChildren();
    renderChatDropped();
    $('call-info').textContent = t('call.info', { ticket: k.tag.ticket, subservice: subserviceName(k.tag.subservice), site: k.tag.site });
    $('remote-status').textContent = t('call.connecting');
    show('taking');
    setLobbyDisplay(false);
    sessionPin = await sessionPinFor(state.lobbyPin, k.tag.room);
    janus.attach({
      plugin: 'janus.plugin.videoroom',
      opaqueId: 'relais-console-call',
      success: (h) => {
        pub = h;
        h.send({ message: { request: 'join', ptype: 'publisher', room: k.tag.room, pin: sessionPin, display: advisorTag(false) } });
      },
      error: (e) => takeFailed(t('err.call', { why: e })),
      onmessage: onPublisherMessage,
      onlocaltrack: (track, on) => {
        if (track.kind === 'video' && on) $('self').srcObject = new MediaStream([track]);
      },
      onremotetrack: () => {},
      ondataopen: () => { state.dataOpen = true; },
      ondata: () => {},
      oncleanup: () => {},
    });
  }

  // The kiosk's feed is the publisher whose display is the kiosk's tag for
  // this very room (PROTOCOL.md, section 4): anyone else publishing here (a
  // losing advisor before the kiosk kicks it) is neither followed nor
  // mourned when it goes.
  function isKioskFeed(p) {
    const tag = p && parseTag(p.display);
    return !!(tag && tag.kind === 'kiosk' && state.current && tag.room === state.current.tag.room);
  }
  function followKiosk(list) {
    if (state.kioskFeed !== null || !Array.isArray(list)) return;
    const p = list.find(isKioskFeed);
    if (p) state.kioskFeed = p.id;
  }

  function onPublisherMessage(msg, jsep) {
    const ev = msg.videoroom;
    if (ev === 'joined') {
      privateId = msg.private_id;
      publish();
      followKiosk(msg.publishers);
    } else if (ev === 'event') {
      if (msg.error_code === 432) { takeFailed(t('err.taken')); return; }
      if (msg.error_code === 426) { takeFailed(t('err.gone')); return; }
      if (msg.error_code) { takeFailed(t('err.call', { why: msg.error })); return; }
      if (msg.leaving === 'ok' && msg.reason === 'kicked') { takeFailed(t('err.taken')); return; }
      if (msg.configured === 'ok' && state.phase === 'taking') {
        // Janus let us publish: the person is ours.
        show('call');
      }
      followKiosk(msg.publishers);
      if (state.phase === 'call' && state.kioskFeed !== null && !subscribing) subscribe(state.kioskFeed);
      const gone = msg.leaving !== undefined && msg.leaving !== 'ok' ? msg.leaving : msg.unpublished;
      if (gone !== undefined && gone !== 'ok' && gone === state.kioskFeed && state.phase === 'call') {
        kioskLeft();
      }
    } else if (ev === 'destroyed') {
      if (state.phase === 'call') kioskLeft(); else takeFailed(t('err.gone'));
    }
    if (jsep && pub) pub.handleRemoteJsep({ jsep });
  }

  // A handle whose offer is still being made is let go only when the offer
  // is done (janus.js does not expect its handle to vanish meanwhile).
  const offering = new Set();
  function letGo(h) {
    if (offering.has(h)) { h.relaisLetGo = true; return; }
    h.hangup();
    h.detach({ error: () => {} });
  }

  function publish() {
    const h = pub;
    offering.add(h);
    const done = () => { offering.delete(h); if (h.relaisLetGo) { letGo(h); return false; } return true; };
    h.createOffer({
      tracks: [
        { type: 'audio', capture: true, recv: false },
        // Simulcast (VP8, three layers): a kiosk on a thin downlink asks
        // Janus for a small layer instead of being flooded (issue 10).
        { type: 'video', capture: true, recv: false, simulcast: true },
        { type: 'data' },
      ],
      success: (jsep) => { if (done()) h.send({ message: { request: 'configure', audio: true, video: true }, jsep }); },
      error: (e) => { if (done()) takeFailed(t('err.media', { why: e && e.message ? e.message : String(e) })); },
    });
  }

  let subscribing = false;     // one subscription per call, to the kiosk's feed
  function subscribe(feed) {
    const room = state.current && state.current.tag.room;
    if (!room) return;
    subscribing = true;
    janus.attach({
      plugin: 'janus.plugin.videoroom',
      opaqueId: 'relais-console-sub',
      success: (h) => {
        if (state.phase !== 'call') { h.detach({ error: () => {} }); return; }
        sub = h;
        h.send({ message: { request: 'join', ptype: 'subscriber', room, pin: sessionPin, private_id: privateId, streams: [{ feed }] } });
      },
      error: (e) => banner('error', t('err.call', { why: e })),
      onmessage: (msg, jsep) => {
        if (!jsep || !sub) return;
        sub.createAnswer({
          jsep,
          tracks: [{ type: 'data' }],
          success: (answer) => sub.send({ message: { request: 'start' }, jsep: answer }),
          error: (e) => banner('error', t('err.call', { why: e })),
        });
      },
      onremotetrack: (track, mid, on) => {
        if (!on) return;
        const el = track.kind === 'video' ? $('remote') : document.createElement('audio');
        if (track.kind === 'video') {
          el.srcObject = new MediaStream([track]);
          const mark = () => {
            if (state.firstFrameAt === null) state.firstFrameAt = performance.now();
            $('remote-status').textContent = '';
          };
          if (el.requestVideoFrameCallback) el.requestVideoFrameCallback(mark); else el.addEventListener('loadeddata', mark, { once: true });
        } else {
          el.autoplay = true;
          el.srcObject = new MediaStream([track]);
          el.dataset.relaisAudio = '1';
          document.body.appendChild(el);
        }
        el.play && el.play().catch(() => {});
      },
      ondataopen: () => { state.dataOpen = true; },
      ondata: (data) => receive(data),
      oncleanup: () => {},
    });
  }

  function takeFailed(text) {
    if (state.phase !== 'taking' && state.phase !== 'call') return;
    banner('error', text);
    endCallUi();
  }

  function kioskLeft() {
    banner('info', t('call.left'));
    endCallUi();
  }

  // Back to the list: leave the session room, ready again.
  function endCallUi() {
    // Detaching leaves the room (a "leaving" event for the others).
    for (const h of [sub, pub]) if (h) letGo(h);
    sub = null;
    pub = null;
    subscribing = false;
    state.kioskFeed = null;
    document.querySelectorAll('audio[data-relais-audio]').forEach((a) => a.remove());
    $('remote').srcObject = null;
    $('self').srcObject = null;
    if (window.relaisDocuments) window.relaisDocuments.callEnded();
    state.current = null;
    state.dataOpen = false;
    state.muted = false;
    state.cameraOff = false;
    showLink(true);
    renderControls();
    if (janus && lobby) { show('queue'); setLobbyDisplay(true); listLobby(); renderQueue(); }
  }

  // ---------------------------------------------------------------- in the call
  // The kiosk's sending follows its link (PROTOCOL.md, section 5, "link"):
  // on a weak one it sends sound only, and says so; the picture's place
  // says it here, until the kiosk says the picture is back.
  function showLink(video) {
    state.kioskAudioOnly = !video;
    $('link-status').textContent = video ? '' : t('call.audio-only');
    $('link-status').hidden = video;
  }

  function receive(data) {
    if (window.relaisDocuments && window.relaisDocuments.receive(data)) return;   // documents.js
    let text = String(data);
    try {
      const m = JSON.parse(text);
      if (m && typeof m === 'object' && !Array.isArray(m) && Number.isInteger(m.relais)) {
        if (m.relais === PROTOCOL && m.type === 'link' && typeof m.video === 'boolean') { showLink(m.video); return; }
        if (m.relais !== PROTOCOL || m.type !== 'chat' || typeof m.text !== 'string') return;
        text = m.text;
      }
    } catch { /* plain text: a chat line */ }
    addChat('them', text);
  }

  // The last CHAT_KEEP lines stay, in state.chat and on screen; a line at
  // the top says how many older ones were let go.
  function addChat(from, text) {
    const log = $('chat-log');
    state.chat.push({ from, text });
    const p = document.createElement('p');
    p.className = from === 'me' ? 'me' : 'them';
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = t(from === 'me' ? 'chat.me' : 'chat.them');
    p.append(who, document.createTextNode(text));
    log.appendChild(p);
    const extra = state.chat.length - CHAT_KEEP;
    if (extra > 0) {
      state.chat.splice(0, extra);
      state.chatDropped += extra;
      for (let k = 0; k < extra; k++) { const first = log.querySelector('p.me, p.them'); if (first) first.remove(); }
      renderChatDropped();
    }
    log.scrollTop = log.scrollHeight;
  }

  function renderChatDropped() {
    const log = $('chat-log');
    let el = $('chat-dropped');
    if (!state.chatDropped) { if (el) el.remove(); return; }
    if (!el) {
      el = document.createElement('p');
      el.id = 'chat-dropped';
      el.className = 'dropped';
      log.prepend(el);
    }
    el.textContent = t('chat.dropped', { n: state.chatDropped });
  }

  function sendEnvelope(obj, onDone) {
    if (!pub) return;
    pub.data({
      text: JSON.stringify({ relais: PROTOCOL, ...obj }),
      success: () => onDone && onDone(true),
      error: (e) => { banner('error', t('err.call', { why: e })); onDone && onDone(false); },
    });
  }

  function sendChat(ev) {
    ev.preventDefault();
    const text = $('chat-input').value.trim();
    if (!text || !pub) return;
    // A plain line: stock janus.js clients read it as is, Relais kiosks too.
    pub.data({
      text,
      success: () => { addChat('me', text); $('chat-input').value = ''; },
      error: (e) => banner('error', t('err.call', { why: e })),
    });
  }

  function endCall(outcome) {
    if (!OUTCOMES.includes(outcome) || state.phase !== 'call') return;
    state.outcomeSent = outcome;
    sendEnvelope({ type: 'end', outcome }, () => {
      // Give the message a moment to cross before leaving the room.
      setTimeout(() => { banner('info', t('info.ended', { outcome: t('end.' + outcome) })); endCallUi(); }, 500);
    });
  }

  function renderControls() {
    $('mute').textContent = t(state.muted ? 'call.unmute' : 'call.mute');
    $('mute').classList.toggle('off', state.muted);
    $('camera').textContent = t(state.cameraOff ? 'call.camera-on' : 'call.camera');
    $('camera').classList.toggle('off', state.cameraOff);
  }

  async function pollStats() {
    const pc = sub && sub.webrtcStuff && sub.webrtcStuff.pc;
    if (!pc) return;
    const report = await pc.getStats();
    let frames = 0;
    report.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded || 0; });
    state.framesDecoded = Math.max(state.framesDecoded, frames);
  }
  setInterval(() => { pollStats().catch(() => {}); }, 500);
  // The waiting times tick every second.
  setInterval(() => { if (state.phase === 'queue') renderQueue(); }, 1000);

  // ---------------------------------------------------------------- start
  function fillServices() {
    const sel = $('service');
    const services = (directory.services || []).filter((s) => Number.isSafeInteger(s.lobby_room) && s.lobby_room > 0);
    sel.replaceChildren(...services.map((s) => { const o = document.createElement('option'); o.value = s.id; o.textContent = s.name; return o; }));
    let saved = {};
    try { saved = JSON.parse(localStorage.getItem('relais-console') || '{}'); } catch { /* nothing saved */ }
    const want = q.get('service') || saved.service;
    if (want && services.some((s) => s.id === want)) sel.value = want;
    if (saved.name) $('name').value = saved.name;
    // Not saved.gateway (older consoles kept one): never from storage.
    const linked = q.get('gateway');
    if (linked && !gatewayAllowed(linked)) banner('info', t('info.gateway-link', { url: shortUrl(linked) }));
    $('gateway').value = linked && gatewayAllowed(linked) ? linked : defaultGateway();
  }

  window.addEventListener('error', (e) => { state.errors.push('page error: ' + e.message); });
  $('lang').addEventListener('click', () => { lang = lang === 'fr' ? 'en' : 'fr'; applyWords(); });
  $('signin-form').addEventListener('submit', signIn);
  $('signout').addEventListener('click', () => { if (janus) janus.destroy({}); location.reload(); });
  $('chat-form').addEventListener('submit', sendChat);
  $('mute').addEventListener('click', () => {
    if (!pub) return;
    state.muted = !state.muted;
    if (state.muted) pub.muteAudio(); else pub.unmuteAudio();
    renderControls();
  });
  $('camera').addEventListener('click', () => {
    if (!pub) return;
    state.cameraOff = !state.cameraOff;
    if (state.cameraOff) pub.muteVideo(); else pub.unmuteVideo();
    renderControls();
  });
  document.querySelectorAll('#outcomes button').forEach((b) => b.addEventListener('click', () => endCall(b.dataset.outcome)));

  applyWords();
  // console.json is optional: without it, the page's own origin only.
  const config = fetch('console.json', { cache: 'no-store' })
    .then((r) => (r.ok ? r.json() : {}))
    .catch((e) => { console.warn('[relais] console.json: ' + e.message); return {}; });
  fetch('directory.json', { cache: 'no-store' })
    .then((r) => { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
    .then(async (d) => { directory = d; loadGateways(await config); fillServices(); state.ready = true; })
    .catch((e) => banner('error', t('err.directory', { why: e.message })));
})();
