// bench-datachannel.js — one data-only Janus VideoRoom participant (Debian's
// janus.js 1.1.2, HTTP transport): a publisher handle with a data channel and
// a subscriber handle per other publisher. What the kiosk's transfer does,
// in a browser: the sender sends the file in binary chunks on its
// publisher's channel (Janus relays them to the subscribers), paced on
// bufferedAmount; the receiver puts them together, hashes them (SHA-256)
// and answers with the hash on its own publisher's channel.
//
// window.benchState: joined, publisherOpen, subscribersOpen, received, …
// window.benchSend(url, chunk): fetches url, sends it; resolves with
//   { bytes, sha256, sendMs (first chunk → acknowledgement), ackSha256 }.
//
// SPDX-License-Identifier: GPL-2.0-or-later
/* global Janus */
'use strict';

(function () {
  const q = new URLSearchParams(location.search);
  const opts = {
    server: q.get('server'),
    room: parseInt(q.get('room') || '1234', 10),
    display: q.get('display') || 'bench',
  };
  const state = {
    joined: false, publisherOpen: false, subscribersOpen: 0, error: null,
    received: null, // { bytes, sha256, firstAt, lastAt, hashMs }
  };
  window.benchState = state;
  const statusEl = document.getElementById('status');
  const fail = (what, e) => { if (!state.error) state.error = what + ': ' + (e && e.message ? e.message : JSON.stringify(e)); statusEl.textContent = state.error; };
  const hex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
  const channelOf = (h) => {
    const dcs = h && h.webrtcStuff && h.webrtcStuff.dataChannel;
    return dcs ? Object.values(dcs)[0] : null;
  };

  let janus = null;
  let publisher = null;
  let myPrivateId = null;
  const subscribers = {};
  let waitingAck = null;

  // ---- receiving: an offer (text), then binary chunks, then our hash back.
  let incoming = null;
  async function onData(data) {
    if (typeof data === 'string') {
      let msg = null;
      try { msg = JSON.parse(data); } catch (e) { return; }
      if (msg.type === 'offer') {
        incoming = { size: msg.size, buf: new Uint8Array(msg.size), got: 0, firstAt: null };
      } else if (msg.type === 'ack' && waitingAck) {
        waitingAck(msg.sha256);
      }
      return;
    }
    if (!incoming) return;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(await data.arrayBuffer());
    if (incoming.firstAt === null) incoming.firstAt = performance.now();
    incoming.buf.set(bytes, incoming.got);
    incoming.got += bytes.length;
    if (incoming.got < incoming.size) return;
    const lastAt = performance.now();
    const sha256 = hex(await crypto.subtle.digest('SHA-256', incoming.buf));
    const hashMs = performance.now() - lastAt;
    state.received = { bytes: incoming.got, sha256, transferMs: lastAt - incoming.firstAt, hashMs };
    incoming = null;
    channelOf(publisher).send(JSON.stringify({ type: 'ack', sha256 }));
  }

  function subscribe(feedId) {
    let handle = null;
    janus.attach({
      plugin: 'janus.plugin.videoroom',
      opaqueId: 'relais-bench-' + opts.display,
      success: (h) => {
        handle = h;
        subscribers[feedId] = h;
        const join = { request: 'join', ptype: 'subscriber', room: opts.room, streams: [{ feed: feedId }] };
        if (myPrivateId !== null) join.private_id = myPrivateId;
        h.send({ message: join, error: (e) => fail('subscribe', e) });
      },
      error: (e) => fail('attach subscriber', e),
      onmessage: (msg, jsep) => {
        if (msg.error) fail('subscriber', msg.error);
        if (!jsep) return;
        handle.createAnswer({
          jsep,
          tracks: [{ type: 'data' }],
          success: (answer) => handle.send({ message: { request: 'start', room: opts.room }, jsep: answer,
            error: (e) => fail('start', e) }),
          error: (e) => fail('answer', e),
        });
      },
      ondataopen: () => {
        const dc = channelOf(handle);
        if (dc) dc.binaryType = 'arraybuffer';
        state.subscribersOpen++;
      },
      ondata: (data) => { onData(data).catch((e) => fail('receive', e)); },
      onremotetrack: () => {},
      oncleanup: () => {},
    });
  }
  const addPublishers = (list) => { for (const p of list || []) if (!subscribers[p.id]) subscribe(p.id); };

  function onPublisherMessage(msg, jsep) {
    if (msg.videoroom === 'joined') {
      state.joined = true;
      myPrivateId = msg.private_id;
      publisher.createOffer({
        tracks: [{ type: 'data' }],
        success: (offer) => publisher.send({ message: { request: 'configure', audio: false, video: false }, jsep: offer,
          error: (e) => fail('configure', e) }),
        error: (e) => fail('offer', e),
      });
      addPublishers(msg.publishers);
    } else if (msg.videoroom === 'event') {
      if (msg.publishers) addPublishers(msg.publishers);
      if (msg.error) fail('videoroom', msg.error_code + ' ' + msg.error);
    }
    if (jsep) publisher.handleRemoteJsep({ jsep });
  }

  function joinRoom() {
    publisher.send({
      message: { request: 'create', room: opts.room, permanent: false, publishers: 16 },
      // 427: the other page made it first.
      success: () => publisher.send({ message: { request: 'join', ptype: 'publisher', room: opts.room, display: opts.display },
        error: (e) => fail('join', e) }),
      error: (e) => fail('create', e),
    });
  }

  // ---- sending
  const HIGH_WATER = 1024 * 1024;
  const LOW_WATER = 256 * 1024;
  window.benchSend = async function (url, chunk) {
    const file = new Uint8Array(await (await fetch(url)).arrayBuffer());
    const sha256 = hex(await crypto.subtle.digest('SHA-256', file));
    const dc = channelOf(publisher);
    dc.bufferedAmountLowThreshold = LOW_WATER;
    const acked = new Promise((resolve) => { waitingAck = resolve; });
    dc.send(JSON.stringify({ type: 'offer', size: file.length, sha256 }));
    const startedAt = performance.now();
    for (let off = 0; off < file.length; off += chunk) {
      if (dc.bufferedAmount > HIGH_WATER)
        await new Promise((resolve) => { dc.onbufferedamountlow = () => { dc.onbufferedamountlow = null; resolve(); }; });
      dc.send(file.subarray(off, Math.min(off + chunk, file.length)));
    }
    const ackSha256 = await acked;
    return { bytes: file.length, sha256, ackSha256, sendMs: performance.now() - startedAt };
  };

  Janus.init({
    debug: ['warn', 'error'],
    dependencies: Janus.useDefaultDependencies({
      adapter: { browserDetails: { browser: 'chrome', version: parseInt((/Chrom(e|ium)\/(\d+)/.exec(navigator.userAgent) || [0, 0, 120])[2], 10), supportsUnifiedPlan: true } },
    }),
    callback: () => {
      janus = new Janus({
        server: opts.server,
        iceServers: [],
        success: () => janus.attach({
          plugin: 'janus.plugin.videoroom',
          opaqueId: 'relais-bench-' + opts.display,
          success: (h) => { publisher = h; joinRoom(); },
          error: (e) => fail('attach publisher', e),
          onmessage: onPublisherMessage,
          ondataopen: () => { state.publisherOpen = true; statusEl.textContent = 'open'; },
          onlocaltrack: () => {},
          onremotetrack: () => {},
          oncleanup: () => {},
        }),
        error: (e) => fail('session', e),
      });
    },
  });
})();
