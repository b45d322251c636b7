// Relais test participant: a minimal Janus VideoRoom client on Debian's
// janus.js 1.1.2 (libjs-janus-gateway), HTTP transport, no framework.
//
// One publisher handle (fake camera + mic, optional data channel
// "JanusDataChannel") and one subscriber handle per remote feed.
// Everything a test needs is in window.relaisStats; window.relaisSendChat
// sends a line over the publisher's data channel (Janus relays it to every
// subscriber of our feed).
//
// SPDX-License-Identifier: GPL-2.0-or-later
/* global Janus */
'use strict';

(function () {
  const q = new URLSearchParams(location.search);
  const flag = (name, dflt) => {
    const v = q.get(name);
    if (v === null || v === '') return dflt;
    return !/^(0|false|no|off)$/i.test(v);
  };
  const opts = {
    server: q.get('server') || 'http://' + location.hostname + ':8088/janus',
    room: parseInt(q.get('room') || '1234', 10),
    display: q.get('display') || 'participant',
    publish: flag('publish', true),
    datachannel: flag('datachannel', true),
    create: flag('create', true),          // create the room when missing
    bitrate: parseInt(q.get('bitrate') || '0', 10), // for a created room; 0 = no cap
    debug: flag('debug', false),
    // Three VP8 layers (janus.js: 1/4, 1/2 and the whole picture), as the
    // advisor console publishes: a subscriber picks one.
    simulcast: flag('simulcast', false),
  };

  const now = () => Math.round(performance.now());
  const stats = {
    options: opts,
    joined: false,
    myId: null,
    publishers: 0,              // remote publishers currently in the room
    publishersSeen: 0,          // remote publishers seen since joining
    framesDecoded: 0,           // sum over every remote video (inbound-rtp), feeds that left included
    framesSent: 0,              // our video (outbound-rtp)
    audioPacketsReceived: 0,
    freezeCount: 0,             // remote video freezes (Chromium's inbound-rtp freezeCount), summed
    concealedSamples: 0,        // remote audio concealed, of totalSamplesReceived
    totalSamplesReceived: 0,
    bytesReceived: 0,
    bytesSent: 0,
    remoteVideo: null,          // {width, height, fps} of the first remote video
    localVideo: null,
    feeds: {},                  // id -> {display, framesDecoded, firstFrameAt, iceState}
    dataOpen: false,
    chatSent: [],
    chatReceived: [],           // [{from, text, at}]
    errors: [],
    warnings: [],
    timing: {                   // ms since navigation start (performance.now)
      janusInit: null,
      sessionCreated: null,
      joinRequest: null,
      joined: null,
      publisherUp: null,        // webrtcState(true) on the publisher handle
      firstRemoteFrame: null,   // first remote video frame presented
    },
  };
  window.relaisStats = stats;

  const statusEl = document.getElementById('status');
  const chatEl = document.getElementById('chat');
  const videosEl = document.getElementById('videos');
  function status(text) { statusEl.textContent = opts.display + ' — room ' + opts.room + ' — ' + text; }
  function fail(what, err) {
    const text = what + ': ' + (err && err.message ? err.message : (typeof err === 'string' ? err : JSON.stringify(err)));
    stats.errors.push({ at: now(), text });
    status('ERROR ' + text);
    console.error('[relais] ' + text);
  }
  window.addEventListener('error', (e) => fail('page error', e.message));
  window.addEventListener('unhandledrejection', (e) => fail('unhandled rejection', e.reason));

  // janus.js reads browserDetails from adapter.js; Debian 12 has no packaged
  // adapter.js and current Chromium needs none of its shims, so describe the
  // browser ourselves.
  const chromeVersion = parseInt((navigator.userAgent.match(/Chrom(?:e|ium)\/(\d+)/) || [])[1] || '0', 10);
  const adapterShim = { browserDetails: { browser: 'chrome', version: chromeVersion, supportsUnifiedPlan: true } };

  let janus = null;
  let publisher = null;
  let myPrivateId = null;
  const subscribers = {};       // feed id -> plugin handle

  function noteFirstFrame(feedId, video) {
    const mark = () => {
      const f = stats.feeds[feedId];
      if (f && f.firstFrameAt === null) f.firstFrameAt = now();
      if (stats.timing.firstRemoteFrame === null) stats.timing.firstRemoteFrame = now();
    };
    if (video.requestVideoFrameCallback) video.requestVideoFrameCallback(mark);
    else video.addEventListener('loadeddata', mark, { once: true });
  }

  function addPublishers(list) {
    for (const p of list || []) {
      if (p.dummy || p.id === stats.myId || subscribers[p.id]) continue;
      subscribe(p.id, p.display || String(p.id));
    }
    stats.publishers = Object.keys(subscribers).length;
    stats.publishersSeen = Object.keys(stats.feeds).length;
  }

  function removeFeed(id) {
    const h = subscribers[id];
    if (!h) return;
    delete subscribers[id];
    stats.publishers = Object.keys(subscribers).length;
    if (stats.feeds[id]) stats.feeds[id].left = now();
    h.detach();
    document.querySelectorAll('[data-feed="' + id + '"]').forEach((el) => el.remove());
  }

  // When a publisher leaves, Janus first sends its subscribers an "updated"
  // offer with the media inactive, then tears the subscription down: our
  // answer can arrive after that ("469 Unexpected ANSWER"). An error on a
  // feed that leaves within 2 s is a warning, not a failure.
  function failUnlessLeaving(feedId, what, err) {
    setTimeout(() => {
      const f = stats.feeds[feedId];
      if (f && f.left !== undefined) stats.warnings.push({ at: now(), text: what + ' (feed leaving): ' + (err && err.message ? err.message : String(err)) });
      else fail(what, err);
    }, 2000);
  }

  function subscribe(feedId, display) {
    stats.feeds[feedId] = { display, framesDecoded: 0, firstFrameAt: null, iceState: null, subscribedAt: now() };
    let handle = null;
    janus.attach({
      plugin: 'janus.plugin.videoroom',
      opaqueId: 'relais-test-' + opts.display,
      success: (h) => {
        handle = h;
        subscribers[feedId] = h;
        stats.publishers = Object.keys(subscribers).length;
        const join = { request: 'join', ptype: 'subscriber', room: opts.room, streams: [{ feed: feedId }] };
        if (myPrivateId !== null) join.private_id = myPrivateId;
        h.send({ message: join, error: (e) => fail('subscribe to ' + display, e) });
      },
      error: (e) => fail('attach subscriber', e),
      iceState: (s) => { if (stats.feeds[feedId]) stats.feeds[feedId].iceState = s; },
      onmessage: (msg, jsep) => {
        if (msg.error) failUnlessLeaving(feedId, 'subscriber ' + display, msg.error);
        if (!jsep || subscribers[feedId] !== handle) return;
        const tracks = opts.datachannel ? [{ type: 'data' }] : [];
        handle.createAnswer({
          jsep,
          tracks,
          success: (answer) => handle.send({
            message: { request: 'start', room: opts.room },
            jsep: answer,
            error: (e) => failUnlessLeaving(feedId, 'start ' + display, e),
          }),
          error: (e) => failUnlessLeaving(feedId, 'answer ' + display, e),
        });
      },
      onremotetrack: (track, mid, on) => {
        const key = feedId + '-' + mid;
        const old = document.querySelector('[data-track="' + key + '"]');
        if (!on) { if (old) old.remove(); return; }
        if (old) return;
        const el = document.createElement(track.kind === 'video' ? 'video' : 'audio');
        el.autoplay = true;
        el.playsInline = true;
        el.dataset.feed = String(feedId);
        el.dataset.track = key;
        if (track.kind === 'video') {
          el.className = 'remote';
          el.muted = true;
          el.title = display;
          noteFirstFrame(feedId, el);
        }
        el.srcObject = new MediaStream([track]);
        videosEl.appendChild(el);
        el.play().catch(() => {});
      },
      ondataopen: () => { stats.dataOpen = true; },
      ondata: (data) => {
        let text = data;
        try { const j = JSON.parse(data); if (j && typeof j.text === 'string') text = j.text; } catch (e) { /* plain text */ }
        stats.chatReceived.push({ from: display, text, at: now() });
        chatEl.textContent += display + ': ' + text + '\n';
      },
      oncleanup: () => {},
    });
  }

  function publish() {
    const tracks = [
      { type: 'audio', capture: true, recv: false },
      { type: 'video', capture: true, recv: false, simulcast: opts.simulcast },
    ];
    if (opts.datachannel) tracks.push({ type: 'data' });
    publisher.createOffer({
      tracks,
      success: (jsep) => publisher.send({
        message: { request: 'configure', audio: true, video: true },
        jsep,
        error: (e) => fail('configure', e),
      }),
      error: (e) => fail('offer', e),
    });
  }

  function join() {
    stats.timing.joinRequest = now();
    status('joining…');
    publisher.send({
      message: { request: 'join', ptype: 'publisher', room: opts.room, display: opts.display },
      error: (e) => fail('join', e),
    });
  }

  function ensureRoomThenJoin() {
    if (!opts.create) { join(); return; }
    publisher.send({
      message: { request: 'exists', room: opts.room },
      success: (r) => {
        if (r && r.exists) { join(); return; }
        const create = {
          request: 'create', room: opts.room, permanent: false, publishers: 16,
          description: 'Relais test room ' + opts.room, bitrate: opts.bitrate,
          fir_freq: 10, audiocodec: 'opus', videocodec: 'vp8',
        };
        publisher.send({
          message: create,
          // 427: created meanwhile by another participant; fine.
          success: (c) => {
            if (c && c.error_code && c.error_code !== 427) fail('create room', c.error);
            join();
          },
          error: (e) => fail('create room', e),
        });
      },
      error: (e) => fail('exists', e),
    });
  }

  function onPublisherMessage(msg, jsep) {
    const ev = msg.videoroom;
    if (ev === 'joined') {
      stats.joined = true;
      stats.myId = msg.id;
      myPrivateId = msg.private_id;
      stats.timing.joined = now();
      status('joined as ' + msg.id);
      if (opts.publish) publish();
      addPublishers(msg.publishers);
    } else if (ev === 'event') {
      if (msg.publishers) addPublishers(msg.publishers);
      if (msg.leaving !== undefined && msg.leaving !== 'ok') removeFeed(msg.leaving);
      if (msg.unpublished !== undefined && msg.unpublished !== 'ok') removeFeed(msg.unpublished);
      if (msg.error) fail('videoroom', msg.error_code + ' ' + msg.error);
    } else if (ev === 'destroyed') {
      fail('videoroom', 'room destroyed');
    }
    if (jsep) publisher.handleRemoteJsep({ jsep });
  }

  async function pollStats() {
    let audioPkts = 0, rx = 0;
    for (const [id, h] of Object.entries(subscribers)) {
      const pc = h.webrtcStuff && h.webrtcStuff.pc;
      if (!pc) continue;
      let feedDecoded = 0, feedFreezes = 0, feedConcealed = 0, feedSamples = 0;
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') return;
        rx += s.bytesReceived || 0;
        if (s.kind === 'video') {
          feedDecoded += s.framesDecoded || 0;
          feedFreezes += s.freezeCount || 0;
          if (s.framesDecoded && !stats.remoteVideo)
            stats.remoteVideo = { width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond, codec: s.codecId };
          else if (s.framesDecoded && stats.remoteVideo)
            Object.assign(stats.remoteVideo, { width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond });
        } else if (s.kind === 'audio') {
          audioPkts += s.packetsReceived || 0;
          feedConcealed += s.concealedSamples || 0;
          feedSamples += s.totalSamplesReceived || 0;
        }
      });
      // A count only grows: a feed leaving during the await above (its
      // connection closed, its stats gone) must not fall back to 0.
      const f = stats.feeds[id];
      if (f) {
        f.framesDecoded = Math.max(f.framesDecoded, feedDecoded);
        f.freezeCount = Math.max(f.freezeCount || 0, feedFreezes);
        f.concealedSamples = Math.max(f.concealedSamples || 0, feedConcealed);
        f.totalSamplesReceived = Math.max(f.totalSamplesReceived || 0, feedSamples);
      }
    }
    const sum = (k) => Object.values(stats.feeds).reduce((n, f) => n + (f[k] || 0), 0);
    stats.freezeCount = sum('freezeCount');
    stats.concealedSamples = sum('concealedSamples');
    stats.totalSamplesReceived = sum('totalSamplesReceived');
    // Feeds that left keep their last count.
    stats.framesDecoded = Object.values(stats.feeds).reduce((n, f) => n + f.framesDecoded, 0);
    stats.audioPacketsReceived = Math.max(stats.audioPacketsReceived, audioPkts);
    stats.bytesReceived = Math.max(stats.bytesReceived, rx);
    const ppc = publisher && publisher.webrtcStuff && publisher.webrtcStuff.pc;
    if (ppc) {
      let sent = 0, tx = 0;
      const report = await ppc.getStats();
      report.forEach((s) => {
        if (s.type !== 'outbound-rtp') return;
        tx += s.bytesSent || 0;
        if (s.kind === 'video') {
          sent += s.framesSent || 0;
          stats.localVideo = { width: s.frameWidth, height: s.frameHeight, fps: s.framesPerSecond };
        }
      });
      stats.framesSent = sent;
      stats.bytesSent = tx;
    }
  }
  setInterval(() => { pollStats().catch((e) => fail('getStats', e)); }, 250);

  window.relaisSendChat = function (text) {
    return new Promise((resolve, reject) => {
      if (!publisher) { reject(new Error('not attached')); return; }
      publisher.data({
        text,
        success: () => { stats.chatSent.push({ text, at: now() }); resolve(true); },
        error: (e) => { fail('chat', e); reject(new Error(String(e))); },
      });
    });
  };

  window.relaisLeave = function () {
    return new Promise((resolve) => {
      if (!janus) { resolve(false); return; }
      janus.destroy({ success: () => resolve(true), error: () => resolve(false) });
    });
  };

  status('initialising janus.js');
  Janus.init({
    debug: opts.debug ? 'all' : ['warn', 'error'],
    dependencies: Janus.useDefaultDependencies({ adapter: adapterShim }),
    callback: () => {
      stats.timing.janusInit = now();
      if (!Janus.isWebrtcSupported()) { fail('init', 'no WebRTC'); return; }
      janus = new Janus({
        server: opts.server,
        iceServers: [],           // no STUN: nothing may leave the machine
        success: () => {
          stats.timing.sessionCreated = now();
          janus.attach({
            plugin: 'janus.plugin.videoroom',
            opaqueId: 'relais-test-' + opts.display,
            success: (h) => { publisher = h; ensureRoomThenJoin(); },
            error: (e) => fail('attach publisher', e),
            webrtcState: (on) => {
              if (on && stats.timing.publisherUp === null) stats.timing.publisherUp = now();
              status(on ? 'publishing' : 'publisher PeerConnection down');
            },
            onmessage: onPublisherMessage,
            onlocaltrack: (track, on) => {
              if (track.kind !== 'video' || !on) return;
              document.getElementById('local').srcObject = new MediaStream([track]);
            },
            ondataopen: () => { stats.dataOpen = true; },
            onremotetrack: () => {},
            oncleanup: () => {},
          });
        },
        error: (e) => fail('session', e),
        destroyed: () => status('session destroyed'),
      });
    },
  });
})();
