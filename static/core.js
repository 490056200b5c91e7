/* yoriai: the little JavaScript every page shares (htmx does the rest). Each live screen adds
   its own file: static/phone.js (the outbox), static/console.js (grouping by drag),
   static/projector.js (the wall). They hook in through window.yoriai (below).
   1. live updates: reconnect from the last seq, insert/move notes, fall back to HTTP polling
   2. the page's words, the connection line
   3. the phase timer, from the server's clock
   4. small conveniences (print, dismiss, Enter posts, the one confirmation) */
(function () {
  'use strict';

  // What the per-view files use: the page's words, the meeting (data-meeting on the live
  // element), the CSRF token, and hooks called when a note arrives or moves, or the link works.
  var hooks = { inserted: [], moved: [], linked: [], answer: [], closed: [] };
  function emit(name, value) {
    for (var i = 0; i < hooks[name].length; i++) hooks[name][i](value);
  }
  var yoriai = window.yoriai = {
    on: function (name, fn) { hooks[name].push(fn); },
    meetingId: function () {
      var live = document.querySelector('[data-meeting]');
      return live ? live.getAttribute('data-meeting') : '';
    },
    csrfToken: csrfToken,
    t: function (key, values) { return t(key, values); },
    // Says something on the board's socket (a phone's note: static/phone.js); false when it is
    // not open, and the caller uses HTTP. The server answers with JSON, given to 'answer' hooks.
    sendLive: function (data) {
      if (!live.socket || live.socket.readyState !== 1) return false;
      try { live.socket.send(data); return true; } catch (e) { return false; }
    }
  };

  function boardSeq() {
    var marker = document.getElementById('board-seq');
    return (marker && marker.getAttribute('data-seq')) || '0';
  }
  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute('hx-headers') || '{}')['x-csrftoken'] || ''; }
    catch (e) { return ''; }
  }

  /* ---- 1. live updates ------------------------------------------------------------------ */

  // Reconnecting. htmx's ws extension (static/vendor/ws.js) reconnects after 1006 (the server
  // went away), 1011, 1012 and 1013, each time through htmx.createWebSocket. That returns a
  // LiveSocket, which dials the WebSocket with ?after=<the last seq this screen applied>, read
  // when it dials: the server sends only what was missed, so nothing is lost or doubled. It
  // waits first: not at all for the page's first socket; after a close 0.15-0.3 s, 0.3-0.6,
  // 0.6-1.2, 1.2-2.4, then 1.25-2.5 s between tries while the page is visible (random within
  // each step, so a hall does not knock all at once), up to 7.5-15 s while it is hidden or
  // polling, and until the browser is back online while it says it is offline. The wait is the
  // LiveSocket's (ws.js's own delay is 0) so that it can be cut short: coming back online, the
  // page becoming visible, or an HTTP request that was answered dial at once.
  var WAIT_VISIBLE = 2500, WAIT_AWAY = 15000;
  var live = { socket: null, failures: 0, opened: false };
  function retryWait(failures) {
    if (!failures) return 0;
    var cap = document.visibilityState === 'hidden' || pollTimer ? WAIT_AWAY : WAIT_VISIBLE;
    var step = Math.min(cap, 300 * Math.pow(2, failures - 1));
    return step / 2 + Math.random() * step / 2;
  }
  function LiveSocket(url) {
    this.url = url; this.ws = null; this.timer = null; this.closed = false; this.listeners = [];
    this.onopen = this.onclose = this.onerror = null; // set by ws.js
  }
  LiveSocket.prototype = {
    CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3,
    get readyState() { return this.ws ? this.ws.readyState : (this.closed ? 3 : 0); },
    addEventListener: function (type, listener) {
      this.listeners.push([type, listener]);
      if (this.ws) this.ws.addEventListener(type, listener);
    },
    send: function (data) { if (this.ws) this.ws.send(data); },
    close: function () { this.closed = true; clearTimeout(this.timer); if (this.ws) this.ws.close(); },
    dial: function () {
      if (this.ws || this.closed) return;
      clearTimeout(this.timer);
      var self = this;
      var url = this.url + (this.url.indexOf('?') < 0 ? '?' : '&') + 'after=' + encodeURIComponent(boardSeq());
      try {
        this.ws = new WebSocket(url);
      } catch (e) {
        this.closed = true; // websockets cannot be made here at all
        startPolling();
        return;
      }
      this.ws.onopen = function (event) { if (self.onopen) self.onopen(event); };
      this.ws.onclose = function (event) { if (self.onclose) self.onclose(event); };
      // ws.js's onerror is not called: it would log the bare Event ("[object Event]") on every
      // failed try. The browser has already said why in one line, and the close follows.
      this.listeners.forEach(function (l) { self.ws.addEventListener(l[0], l[1]); });
    }
  };
  htmx.config.wsReconnectDelay = function () { return 0; };
  htmx.createWebSocket = function (url) {
    var socket = live.socket = new LiveSocket(url);
    var wait = navigator.onLine === false ? WAIT_AWAY : retryWait(live.failures);
    if (wait) socket.timer = setTimeout(function () { socket.dial(); }, wait);
    else socket.dial();
    return socket;
  };
  function dialNow() { if (live.socket) live.socket.dial(); }
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'visible') dialNow();
  });

  // A live message (websocket or polling) is HTML: each top-level element is swapped out of band
  // by its id (templates/boards/_live.html). htmx swaps those this screen has. A note or group
  // it does not have yet is put into its list here (newest first on phones, in posting order
  // elsewhere); the removal of something it never had (a note hidden before it arrived) is
  // nothing to do. So a normal message never reaches htmx with a missing target: htmx's
  // htmx:oobErrorNoTarget (logged as an error) is left for real mistakes. Order is kept: a group
  // arrives before the notes that move into it.
  function applyLive(html) {
    var holder = document.createElement('template');
    holder.innerHTML = html;
    var known = [];
    function swapKnown() {
      if (!known.length) return;
      htmx.swap(document.body, known.join(''), { swapStyle: 'none' });
      known = [];
    }
    Array.prototype.slice.call(holder.content.children).forEach(function (element) {
      // What this screen shows changed as a whole (the tables, table work or the plenary, this
      // phone's table): the page is loaded again, after the rest of the message (its seq) applies.
      if (element.hasAttribute('data-reload-page')) { reloadPage(); return; }
      var oob = element.getAttribute('hx-swap-oob') || 'true'; // as in ws.js: all of it is out of band
      var here = element.id && document.getElementById(element.id);
      if (oob === 'delete') unannounce(element.id); // a hidden note's text leaves the page whole
      if (oob === 'delete' && !here) return; // gone before it came
      var into = !here && oob === 'true' && element.getAttribute('data-into');
      var list = into && document.querySelector(into);
      if (list) { swapKnown(); insert(element, list); return; }
      element.setAttribute('hx-swap-oob', oob);
      known.push(element.outerHTML);
    });
    swapKnown();
  }
  var reloading = false;
  function reloadPage() {
    if (reloading) return;
    reloading = true;
    setTimeout(function () { window.location.reload(); }, 50);
  }
  function insert(element, list) {
    element.removeAttribute('hx-swap-oob');
    var clientId = element.getAttribute('data-client-id');
    var pending = clientId && document.querySelector('.note--pending[data-client-id="' + clientId + '"]');
    element.classList.add('note--arrived'); // only what arrives live fades in, not a page on load
    if (!pending && element.classList.contains('note')) announce(element);
    if (pending) pending.parentNode.replaceChild(element, pending);
    else if (list.getAttribute('data-order') === 'newest-first') list.insertBefore(element, list.firstChild);
    else list.appendChild(element);
    htmx.process(element);
    emit('inserted', element);
  }
  // ws.js would swap the message itself; it is applied as above instead (the same for polling).
  // A message in JSON is the server's answer to what this screen said (a note it posted).
  document.addEventListener('htmx:wsBeforeMessage', function (event) {
    event.preventDefault();
    var message = event.detail.message;
    if (message.charAt(0) !== '{') { applyLive(message); return; }
    var answer = null;
    try { answer = JSON.parse(message); } catch (e) { return; }
    emit('answer', answer);
  });

  // Screen readers hear each new note once (kind and text) from a polite live region; the
  // board itself is not a live region, so nothing else is read out again.
  function announce(note) {
    var region = document.getElementById('announcer');
    if (!region) return;
    var kind = note.querySelector('.note__kind'), icon = note.querySelector('.note__icon');
    var text = note.querySelector('.note__text');
    var label = kind ? kind.textContent.replace(icon ? icon.textContent : '', '').replace(/\s+/g, ' ').trim() : '';
    region.textContent = region.getAttribute('data-new-note') + ': ' + label + ' ' + (text ? text.textContent : '');
    region.setAttribute('data-about', note.id || '');
  }
  function unannounce(id) {
    var region = document.getElementById('announcer');
    if (region && id && region.getAttribute('data-about') === id) {
      region.textContent = '';
      region.removeAttribute('data-about');
    }
  }

  // A note that changed cluster must move to the other list, not be replaced in place.
  document.addEventListener('htmx:oobBeforeSwap', function (event) {
    var target = event.detail.target;
    var incoming = event.detail.fragment && event.detail.fragment.firstElementChild;
    var into = incoming && incoming.getAttribute && incoming.getAttribute('data-into');
    if (!into || !target.parentNode) return;
    var list = document.querySelector(into);
    if (!list || target.parentNode === list) return;
    event.detail.shouldSwap = false;
    target.parentNode.removeChild(target);
    incoming.removeAttribute('hx-swap-oob');
    list.appendChild(incoming);
    htmx.process(incoming);
    emit('moved', incoming);
  });

  // The page's words in its language, from <script type="application/json" id="ui-strings"> in
  // base.html (data, not code: CSP allows no inline script). Missing text shows the key.
  var strings = {};
  try { strings = JSON.parse(document.getElementById('ui-strings').textContent); } catch (e) { strings = {}; }
  function t(key, values) {
    var text = strings[key] || key;
    for (var name in values || {}) text = text.split('{' + name + '}').join(values[name]);
    return text;
  }

  // The connection indicator (connected / reconnecting / offline), and the HTTP fallback.
  var labels = {
    connected: t('connected'), reconnecting: t('reconnecting'), offline: t('offline'), polling: t('polling'),
    replaced: t('replaced')
  };
  var shown = 'connecting';
  function showConnection(state) {
    var indicator = document.getElementById('conn');
    if (!indicator || shown === 'replaced') return;
    shown = state;
    indicator.className = 'conn conn--' + state;
    indicator.querySelector('.conn__label').textContent = labels[state];
  }
  // The network is back, or an HTTP request was answered: the line says what is true now (the
  // socket is open: connected), and a socket waiting to try again tries now.
  yoriai.linkWorks = linkWorks;
  function linkWorks() {
    if (live.socket && live.socket.readyState === 1) { showConnection('connected'); return; }
    if (shown === 'offline') showConnection('reconnecting');
    dialNow();
  }
  var pollTimer = null;
  document.addEventListener('htmx:wsOpen', function () {
    live.opened = true; live.failures = 0; stopPolling(); showConnection('connected'); emit('linked');
  });
  // 4008: this screen's socket made room for a newer one of the same phone, staff account or
  // address (server/boards/budget.py: a few sockets per person and board). It is final: htmx's
  // ws extension reconnects only after 1006, 1011, 1012 and 1013, and this screen neither
  // reconnects nor polls, or it would close the newer screen in turn, and the two would take
  // turns for ever. Reopening the page brings it back here.
  var REPLACED = 4008;
  document.addEventListener('htmx:wsClose', function (event) {
    var closed = event.detail && event.detail.event;
    emit('closed');
    if (closed && closed.code === REPLACED) { stopPolling(); showConnection('replaced'); return; }
    live.failures += 1;
    if (!live.opened && live.failures >= 2) startPolling(); // never got through: the network blocks websockets
    if (!pollTimer) showConnection(navigator.onLine === false ? 'offline' : 'reconnecting');
  });
  window.addEventListener('offline', function () { showConnection('offline'); });
  window.addEventListener('online', function () { linkWorks(); emit('linked'); });

  function startPolling() {
    var live = document.querySelector('[data-events-url]');
    if (!live || pollTimer) return;
    var url = live.getAttribute('data-events-url');
    var poll = function () {
      fetch(url + (url.indexOf('?') < 0 ? '?' : '&') + 'after=' + boardSeq(), { credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) { applyLive(html); showConnection('polling'); emit('linked'); })
        .catch(function () { showConnection(navigator.onLine === false ? 'offline' : 'reconnecting'); });
    };
    poll();
    pollTimer = setInterval(poll, 3000);
  }
  function stopPolling() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }

  /* ---- 3. the phase timer ------------------------------------------------------------------- */

  function tick() {
    var timers = document.querySelectorAll('.timer');
    for (var i = 0; i < timers.length; i++) {
      var timer = timers[i];
      if (timer.getAttribute('data-state') !== 'running') continue;
      if (timer._offset === undefined) timer._offset = Number(timer.getAttribute('data-now')) - Date.now();
      var left = Math.max(0, Math.round((Number(timer.getAttribute('data-ends-at')) - (Date.now() + timer._offset)) / 1000));
      timer.querySelector('.timer__digits').textContent = Math.floor(left / 60) + ':' + ('0' + (left % 60)).slice(-2);
      if (left === 0) timer.classList.add('timer--done'); // a quiet visual signal, no sound
    }
  }
  setInterval(tick, 500);

  /* ---- 4. small conveniences ---------------------------------------------------------------- */

  document.addEventListener('click', function (event) {
    if (event.target.closest && event.target.closest('[data-print]')) window.print();
    var button = event.target.closest && event.target.closest('[data-dismiss]');
    if (!button) return;
    var gone = document.querySelector(button.getAttribute('data-dismiss'));
    if (gone) gone.parentNode.removeChild(gone);
  });
  document.addEventListener('htmx:afterRequest', function (event) {
    var form = event.detail.elt;
    if (event.detail.successful && form.hasAttribute && form.hasAttribute('data-reset-after')) form.reset();
  });

  // Enter (and the phone keyboard's send key) posts; Shift+Enter makes a new line.
  // While an IME is composing Japanese, Enter confirms the conversion and must not post.
  document.addEventListener('keydown', function (event) {
    var field = event.target;
    if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
    if (!field.hasAttribute || !field.hasAttribute('data-enter-submits') || !field.form) return;
    event.preventDefault();
    var button = field.form.querySelector('[type=submit]');
    if (button) button.click();
  });

  // The one confirmation of a live meeting: closing the session.
  document.addEventListener('submit', function (event) {
    var message = event.target.getAttribute && event.target.getAttribute('data-confirm');
    if (message && !window.confirm(message)) event.preventDefault();
  });

})();
