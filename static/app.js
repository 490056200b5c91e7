/* yoriai: the little JavaScript the live board needs (htmx does the rest).
   1. live updates: reconnect from the last seq, insert/move notes, fall back to HTTP polling
   2. the phone's outbox: a note is kept on the phone until the server has it
   3. the phase timer, from the server's clock
   4. drag and drop for grouping (SortableJS), small conveniences
   5. the projector: fit the board to the screen, full screen, hide the cursor when idle */
(function () {
  'use strict';

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
      var oob = element.getAttribute('hx-swap-oob') || 'true'; // as in ws.js: all of it is out of band
      var here = element.id && document.getElementById(element.id);
      if (oob === 'delete' && !here) return; // gone before it came
      var into = !here && oob === 'true' && element.getAttribute('data-into');
      var list = into && document.querySelector(into);
      if (list) { swapKnown(); insert(element, list); return; }
      element.setAttribute('hx-swap-oob', oob);
      known.push(element.outerHTML);
    });
    swapKnown();
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
    makeSortable(element);
    fitSoon({ type: 'arrival' });
  }
  // ws.js would swap the message itself; it is applied as above instead (the same for polling).
  document.addEventListener('htmx:wsBeforeMessage', function (event) {
    event.preventDefault();
    applyLive(event.detail.message);
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
    refocus();
    fitSoon({ type: 'move' });
  });

  // A note moved with the keyboard comes back as a new element in its group: give the focus
  // back to it (its グループへ移動 button), so the facilitator can go on from there.
  var focusAfterMove = null;
  document.addEventListener('htmx:beforeRequest', function (event) {
    var form = event.detail.elt;
    if (!form.classList || !form.classList.contains('move-form')) return;
    var note = form.closest('.note');
    if (note) focusAfterMove = '#' + note.id + ' button[hx-get$="/move"]';
  });
  function refocus() {
    var button = focusAfterMove && document.querySelector(focusAfterMove);
    if (!button) return;
    focusAfterMove = null;
    button.focus();
  }
  document.addEventListener('htmx:oobAfterSwap', refocus);

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
  function linkWorks() {
    if (live.socket && live.socket.readyState === 1) { showConnection('connected'); return; }
    if (shown === 'offline') showConnection('reconnecting');
    dialNow();
  }
  var pollTimer = null;
  document.addEventListener('htmx:wsOpen', function () {
    live.opened = true; live.failures = 0; stopPolling(); showConnection('connected'); flushOutbox();
  });
  // 4008: this screen's socket made room for a newer one of the same phone, staff account or
  // address (server/boards/budget.py: a few sockets per person and board). It is final: htmx's
  // ws extension reconnects only after 1006, 1011, 1012 and 1013, and this screen neither
  // reconnects nor polls, or it would close the newer screen in turn, and the two would take
  // turns for ever. Reopening the page brings it back here.
  var REPLACED = 4008;
  document.addEventListener('htmx:wsClose', function (event) {
    var closed = event.detail && event.detail.event;
    if (closed && closed.code === REPLACED) { stopPolling(); showConnection('replaced'); return; }
    live.failures += 1;
    if (!live.opened && live.failures >= 2) startPolling(); // never got through: the network blocks websockets
    if (!pollTimer) showConnection(navigator.onLine === false ? 'offline' : 'reconnecting');
  });
  window.addEventListener('offline', function () { showConnection('offline'); });
  window.addEventListener('online', function () { linkWorks(); flushOutbox(); });

  function startPolling() {
    var live = document.querySelector('[data-events-url]');
    if (!live || pollTimer) return;
    var url = live.getAttribute('data-events-url');
    var poll = function () {
      fetch(url + (url.indexOf('?') < 0 ? '?' : '&') + 'after=' + boardSeq(), { credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
        .then(function (html) { applyLive(html); showConnection('polling'); flushOutbox(); })
        .catch(function () { showConnection(navigator.onLine === false ? 'offline' : 'reconnecting'); });
    };
    poll();
    pollTimer = setInterval(poll, 3000);
  }
  function stopPolling() { if (pollTimer) { clearInterval(pollTimer); pollTimer = null; } }

  /* ---- 2. the phone's outbox -------------------------------------------------------------- */

  function outboxKey(meeting) { return 'yoriai-outbox-' + meeting; }
  function readOutbox(meeting) {
    try { return JSON.parse(localStorage.getItem(outboxKey(meeting)) || '[]'); } catch (e) { return []; }
  }
  function writeOutbox(meeting, items) {
    try { localStorage.setItem(outboxKey(meeting), JSON.stringify(items)); } catch (e) { /* private mode: page memory only */ }
    memoryOutbox[meeting] = items;
  }
  var memoryOutbox = {};
  function outbox(meeting) { var stored = readOutbox(meeting); return stored.length ? stored : (memoryOutbox[meeting] || []); }

  function newClientId() {
    var bytes = new Uint8Array(16);
    if (window.crypto && crypto.getRandomValues) crypto.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  var kindLabels = { concern: '▲ ' + t('concern'), want: '★ ' + t('want'), offer: '● ' + t('offer'), idea: '◆ ' + t('idea') };
  function showPending(item, state) {
    var existing = document.querySelector('[data-client-id="' + item.client_id + '"]');
    if (existing && !existing.classList.contains('note--pending')) return; // the server's copy is here
    var element = existing || document.createElement('article');
    element.className = 'note note--pending note--' + item.kind;
    element.setAttribute('data-client-id', item.client_id);
    element.innerHTML = '<p class="note__kind"></p><p class="note__text"></p><p class="note__meta"></p>';
    element.querySelector('.note__kind').textContent = kindLabels[item.kind] || '';
    element.querySelector('.note__text').textContent = item.text; // text, never HTML
    element.querySelector('.note__meta').textContent = state === 'offline'
      ? t('pending_offline') : t('sending');
    if (!existing) {
      var list = document.getElementById('notes');
      if (list) list.insertBefore(element, list.firstChild);
    }
  }

  var flushing = false;
  function flushOutbox() {
    var form = document.querySelector('form[data-outbox]');
    if (!form || flushing) return;
    var meeting = form.getAttribute('data-outbox');
    var items = outbox(meeting);
    if (!items.length) return;
    flushing = true;
    var item = items[0];
    var body = new URLSearchParams({ kind: item.kind, text: item.text, client_id: item.client_id });
    fetch(form.getAttribute('action'), {
      method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'x-csrftoken': csrfToken(), Accept: 'application/json' }
    }).then(function (response) {
      if (response.status >= 500) throw new Error('server ' + response.status); // try again later
      if (response.status === 429) return { busy: true, response: response };
      return response.json()
        .catch(function () { return { error: t('send_failed_status', { status: response.status }) }; })
        .then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      linkWorks(); // the server answered
      if (result.busy) {
        // Too fast for now (this phone, or the whole room's router): keep the note, say so, send it later.
        flushing = false;
        result.response.json().catch(function () { return {}; }).then(function (data) {
          var error = document.getElementById('composer-error');
          if (error && data.error) { error.textContent = data.error; error.hidden = false; }
        });
        setTimeout(flushOutbox, 10000);
        return;
      }
      writeOutbox(meeting, outbox(meeting).filter(function (i) { return i.client_id !== item.client_id; }));
      if (!result.ok) refused(item, result.data.error || t('send_failed'));
      flushing = false;
      flushOutbox();
    }).catch(function () {
      // No answer (offline, server restarting): keep it and try again soon.
      flushing = false;
      outbox(meeting).forEach(function (i) { showPending(i, 'offline'); });
      setTimeout(flushOutbox, 4000);
    });
  }

  function refused(item, message) {
    // The server said no (closed board, too long…): give the text back, say why.
    var pending = document.querySelector('.note--pending[data-client-id="' + item.client_id + '"]');
    if (pending) pending.parentNode.removeChild(pending);
    var form = document.querySelector('form[data-outbox]');
    var error = document.getElementById('composer-error');
    if (form && !form.elements.text.value) form.elements.text.value = item.text;
    if (error) { error.textContent = message; error.hidden = false; }
  }

  document.addEventListener('submit', function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute('data-outbox')) return;
    event.preventDefault();
    var text = form.elements.text.value;
    var error = document.getElementById('composer-error');
    if (!text.trim()) {
      if (error) { error.textContent = t('empty_note'); error.hidden = false; }
      return;
    }
    if (error) error.hidden = true;
    var checked = form.querySelector('input[name=kind]:checked');
    var item = { client_id: newClientId(), kind: checked ? checked.value : 'concern', text: text };
    var meeting = form.getAttribute('data-outbox');
    writeOutbox(meeting, outbox(meeting).concat([item]));
    showPending(item, navigator.onLine === false ? 'offline' : 'sending');
    form.elements.text.value = '';
    flushOutbox();
  });

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

  /* ---- 4. grouping by drag and drop, and small conveniences --------------------------------- */

  function makeSortable(root) {
    if (!window.Sortable) return;
    var lists = root.querySelectorAll ? root.querySelectorAll('[data-sortable]') : [];
    if (root.hasAttribute && root.hasAttribute('data-sortable')) lists = [root].concat(Array.prototype.slice.call(lists));
    Array.prototype.forEach.call(lists, function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: 'notes', animation: 150, delay: 120, delayOnTouchOnly: true, draggable: '.note', forceFallback: true,
        supportPointer: false, // touch events: a long press drags, a swipe still scrolls the page
        filter: 'button, a, textarea, input', preventOnFilter: false, scroll: true, bubbleScroll: true,
        onAdd: function (event) {
          var noteId = event.item.getAttribute('data-note');
          var meeting = document.querySelector('[data-events-url]').getAttribute('data-events-url').split('/')[2];
          htmx.ajax('POST', '/f/sessions/' + meeting + '/notes/' + noteId + '/move', {
            source: event.item, swap: 'none', values: { cluster_id: event.to.getAttribute('data-cluster') || '' }
          });
        }
      });
    });
  }
  htmx.onLoad(makeSortable);

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

  // A phone keyboard opening must not hide the field being typed in. Chrome shrinks the page
  // itself (interactive-widget=resizes-content in the viewport meta); elsewhere, once the
  // visual viewport has shrunk, bring the field (and the send button below it) back into view.
  if (window.visualViewport) {
    window.visualViewport.addEventListener('resize', function () {
      var field = document.activeElement;
      if (!field || !field.matches || !field.matches('.phone textarea, .phone input')) return;
      field.scrollIntoView({ block: 'nearest' });
    });
  }

  // The one confirmation of a live meeting: closing the session.
  document.addEventListener('submit', function (event) {
    var message = event.target.getAttribute && event.target.getAttribute('data-confirm');
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // A phone that reloads with notes still in its outbox shows them and sends them.
  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('form[data-outbox]');
    if (!form) return;
    outbox(form.getAttribute('data-outbox')).forEach(function (item) { showPending(item, 'sending'); });
    flushOutbox();
  });

  /* ---- 5. the projector --------------------------------------------------------------------- */

  // Step the density up (smaller notes) until the board fits the screen, down to the floor
  // (density 3, never under 20 px); then fold the groups to their name and count; then, if the
  // loose notes still do not fit, show the newest that do and one tile counting the rest.
  // A full fit runs on load, resize and moves; an arriving note costs one layout read.
  var FLOOR = 3;
  function fits(board) {
    return board.scrollHeight <= board.clientHeight + 1 && board.scrollWidth <= board.clientWidth + 1;
  }
  function bandFor(count) { return Math.min(FLOOR, 1 + (count > 12) + (count > 24)); }
  function projectorParts() {
    var layout = document.querySelector('.projector-layout');
    var board = layout && layout.querySelector('.projector-board');
    return board ? { layout: layout, board: board, grid: board.querySelector('#notes') } : null;
  }
  function countClusters(board) {
    Array.prototype.forEach.call(board.querySelectorAll('.cluster'), function (cluster) {
      var n = cluster.querySelector('.cluster__n');
      if (n) n.textContent = cluster.querySelectorAll('.note').length;
    });
  }
  // Show the newest `capacity` loose notes; the tile counts (and stands for) the older ones.
  function showNewest(grid, capacity) {
    var notes = grid.querySelectorAll(':scope > .note');
    var older = Math.max(0, notes.length - capacity);
    for (var i = 0; i < notes.length; i++) {
      if (notes[i].classList.contains('note--older') !== i < older) notes[i].classList.toggle('note--older', i < older);
    }
    var tile = grid.querySelector('.note-overflow');
    tile.querySelector('.note-overflow__n').textContent = older;
    tile.hidden = older === 0;
  }
  function overflow(parts) {
    var layout = parts.layout, board = parts.board, grid = parts.grid;
    layout.setAttribute('data-overflow', '');
    grid.querySelector('.note-overflow').hidden = false;
    var style = getComputedStyle(grid);
    var columns = style.gridTemplateColumns.split(' ').length;
    var row = parseFloat(style.gridAutoRows), gap = parseFloat(style.rowGap) || 0;
    var room = board.getBoundingClientRect().bottom - grid.getBoundingClientRect().top;
    var rows = Math.max(1, Math.floor((room + gap) / (row + gap)));
    var capacity = Math.max(0, rows * columns - 1);
    // The rows share the board's whole height (the text stays at the floor, 4 lines at most).
    grid.style.gridAutoRows = Math.max(row, (room + gap) / rows - gap).toFixed(1) + 'px';
    showNewest(grid, capacity);
    while (capacity > 0 && !fits(board)) showNewest(grid, --capacity); // folded groups took more room
    layout._capacity = capacity;
  }
  function fitProjector() {
    var parts = projectorParts();
    if (!parts) return;
    var layout = parts.layout, board = parts.board;
    countClusters(board);
    var clusters = board.querySelectorAll('.cluster').length;
    var all = board.querySelectorAll('.note').length;
    var loose = all - board.querySelectorAll('.cluster .note').length;
    layout.removeAttribute('data-overflow');
    layout._capacity = null;
    if (parts.grid) parts.grid.style.removeProperty('grid-auto-rows');
    if (parts.grid) showNewest(parts.grid, Infinity);
    var tries = [[false, bandFor(all)]];
    if (clusters) tries.push([true, bandFor(loose)]);
    for (var t = 0; t < tries.length; t++) {
      if (tries[t][0]) layout.setAttribute('data-fold', ''); else layout.removeAttribute('data-fold');
      for (var band = tries[t][1]; band <= FLOOR; band++) {
        layout.setAttribute('data-density', String(band));
        if (fits(board)) return;
      }
    }
    if (parts.grid) overflow(parts);
  }
  // A note arrived: while it still fits (or, in overflow, once the oldest shown note gave it
  // its place) nothing else is measured or restyled.
  function fitArrival() {
    var parts = projectorParts();
    if (!parts) return;
    countClusters(parts.board);
    if (parts.layout._capacity != null) showNewest(parts.grid, parts.layout._capacity);
    if (!fits(parts.board)) fitProjector();
  }
  // Load, resize, a note moved or changed, a group: fit again from the start. Anything else (a
  // new note, the participant count, the timer): the one-read check.
  function needsFullFit(event) {
    if (!event || event.type === 'DOMContentLoaded' || event.type === 'resize' || event.type === 'move') return true;
    if (event.type === 'arrival') return false;
    var target = event.detail && (event.detail.target || event.detail.elt);
    return !!(target && target.closest && target.closest('.projector-board'));
  }
  var fitPending = null;
  function fitSoon(event) {
    var arrival = !needsFullFit(event);
    if (fitPending === 'full' || (fitPending && arrival) || !document.querySelector('.projector-layout')) return;
    var first = !fitPending;
    fitPending = arrival ? 'arrival' : 'full';
    if (first) requestAnimationFrame(function () {
      var full = fitPending === 'full';
      fitPending = null;
      if (full) fitProjector(); else fitArrival();
    });
  }
  document.addEventListener('DOMContentLoaded', fitSoon);
  document.addEventListener('htmx:oobAfterSwap', fitSoon);
  document.addEventListener('htmx:afterSettle', fitSoon);
  window.addEventListener('resize', fitSoon);

  // The cursor and the controls show while the mouse moves, and hide after 3 seconds.
  var idleTimer = null;
  document.addEventListener('mousemove', function () {
    var body = document.body;
    if (!body.classList.contains('projector')) return;
    body.classList.remove('projector--idle');
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { body.classList.add('projector--idle'); }, 3000);
  });
  document.addEventListener('click', function (event) {
    if (!(event.target.closest && event.target.closest('[data-fullscreen]'))) return;
    if (document.fullscreenElement) document.exitFullscreen();
    else if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen();
  });
  document.addEventListener('fullscreenchange', function () {
    document.body.classList.toggle('is-fullscreen', !!document.fullscreenElement);
  });
})();
