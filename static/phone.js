/* yoriai on the phone (after static/core.js): the outbox, so a note is kept on the phone until
   the server has it (sent over the board's socket, or HTTP), and the field being typed in stays
   in view above the keyboard. */
(function () {
  'use strict';
  var yoriai = window.yoriai;
  var t = yoriai.t;
  function csrfToken() { return yoriai.csrfToken(); }

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

  // "Your notes": the last three this phone sent, under the composer where the author looks, each
  // with its state (sending, waiting for the network, sent), so a note never drops out of sight.
  // Once the server has it, the row is named after the note (mine-note-N): the live message that
  // takes a hidden or deleted note off this phone takes it off this strip too.
  function showMine(item, state, noteId) {
    var section = document.getElementById('mine');
    if (!section) return;
    var list = section.querySelector('.mine__list');
    var row = list.querySelector('[data-mine="' + item.client_id + '"]');
    if (state === 'gone') { if (row) list.removeChild(row); section.hidden = !list.children.length; return; }
    if (!row) {
      row = document.createElement('li');
      row.className = 'mine__item note--' + item.kind;
      row.setAttribute('data-mine', item.client_id);
      row.innerHTML = '<span class="mine__text"></span> <span class="mine__state"></span>';
      row.querySelector('.mine__text').textContent = (kindLabels[item.kind] || '') + ' ' + item.text; // text, never HTML
      list.insertBefore(row, list.firstChild);
      while (list.children.length > 3) list.removeChild(list.lastChild);
    }
    if (noteId) row.id = 'mine-note-' + noteId;
    var note = noteId && document.getElementById('note-' + noteId);
    if (note && state === 'waiting' && !note.querySelector('.note__badge--waiting')) state = 'sent'; // let through already
    row.setAttribute('data-state', state);
    row.querySelector('.mine__state').textContent = t(state === 'offline' ? 'pending_offline' : state);
    section.hidden = false;
  }

  // The outbox sends one note at a time, oldest first: over the board's socket while it is open
  // (no HTTP request per note; the server answers on the socket), else as a POST. A socket that
  // closes or stays silent for SOCKET_WAIT ms hands the note to HTTP: its client_id keeps it
  // stored once however often it is sent.
  var SOCKET_WAIT = 8000;
  var flushing = false;
  var onSocket = null; // the note waiting for the socket's answer: { item, meeting, form, timer }
  function flushOutbox() {
    var form = document.querySelector('form[data-outbox]');
    if (!form || flushing) return;
    var meeting = form.getAttribute('data-outbox');
    var items = outbox(meeting);
    if (!items.length) return;
    flushing = true;
    var item = items[0];
    var message = JSON.stringify({ note: { kind: item.kind, text: item.text, client_id: item.client_id } });
    // At most 3 bytes per UTF-16 unit: a message the server's 4 KB limit (budget.MAX_MESSAGE_BYTES)
    // would close the socket for goes by HTTP, which answers a too-long note with why.
    if (message.length * 3 <= 4000 && yoriai.sendLive(message)) {
      onSocket = { item: item, meeting: meeting, form: form, timer: setTimeout(overHttp, SOCKET_WAIT) };
    } else {
      post(item, meeting, form);
    }
  }
  function overHttp() {
    var waiting = onSocket;
    if (!waiting) return;
    onSocket = null;
    clearTimeout(waiting.timer);
    post(waiting.item, waiting.meeting, waiting.form);
  }
  yoriai.on('closed', overHttp);
  yoriai.on('answer', function (answer) {
    if (!onSocket || answer.ack !== onSocket.item.client_id) return; // late, for a note HTTP took
    var waiting = onSocket;
    onSocket = null;
    clearTimeout(waiting.timer);
    if (answer.retry) unanswered(waiting.meeting); // the server failed: as a 5xx
    else answered(waiting.item, waiting.meeting, answer);
  });

  function post(item, meeting, form) {
    var body = new URLSearchParams({ kind: item.kind, text: item.text, client_id: item.client_id });
    fetch(form.getAttribute('action'), {
      method: 'POST', credentials: 'same-origin', body: body,
      headers: { 'x-csrftoken': csrfToken(), Accept: 'application/json' }
    }).then(function (response) {
      if (response.status >= 500) throw new Error('server ' + response.status); // try again later
      return response.json()
        .catch(function () { return { error: t('send_failed_status', { status: response.status }) }; })
        .then(function (answer) {
          // The same answer as the socket's: {note_id, waiting}, or {error} (busy: only too fast).
          if (response.status === 429) answer.busy = true;
          else if (!response.ok && !answer.error) answer.error = t('send_failed');
          return answer;
        });
    }).then(function (answer) { answered(item, meeting, answer); }, function () { unanswered(meeting); });
  }

  function answered(item, meeting, answer) {
    yoriai.linkWorks(); // the server answered
    if (answer.busy) {
      // Too fast for now (this phone, or the whole room's router): keep the note, say so, send it later.
      flushing = false;
      var error = document.getElementById('composer-error');
      if (error && answer.error) { error.textContent = answer.error; error.hidden = false; }
      setTimeout(flushOutbox, 10000);
      return;
    }
    writeOutbox(meeting, outbox(meeting).filter(function (i) { return i.client_id !== item.client_id; }));
    if (answer.error || !answer.note_id) refused(item, answer.error || t('send_failed'));
    else showMine(item, answer.waiting ? 'waiting' : 'sent', answer.note_id);
    flushing = false;
    flushOutbox();
  }

  function unanswered(meeting) {
    // No answer (offline, server restarting): keep it and try again soon.
    flushing = false;
    outbox(meeting).forEach(function (i) { showPending(i, 'offline'); showMine(i, 'offline'); });
    setTimeout(flushOutbox, 4000);
  }

  function refused(item, message) {
    // The server said no (closed board, too long…): give the text back, say why.
    var pending = document.querySelector('.note--pending[data-client-id="' + item.client_id + '"]');
    if (pending) pending.parentNode.removeChild(pending);
    showMine(item, 'gone');
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
    showMine(item, navigator.onLine === false ? 'offline' : 'sending');
    form.elements.text.value = '';
    flushOutbox();
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

  // A phone that reloads with notes still in its outbox shows them and sends them.
  document.addEventListener('DOMContentLoaded', function () {
    var form = document.querySelector('form[data-outbox]');
    if (!form) return;
    outbox(form.getAttribute('data-outbox')).forEach(function (item) { showPending(item, 'sending'); showMine(item, 'sending'); });
    flushOutbox();
  });

  // Screened mode: a note of this phone's that a facilitator lets through comes back without its
  // 確認中 mark (templates/boards/_note.html); its row in "your notes" says sent from then on.
  function followMine(note) {
    if (!note || !note.id || !/^note-\d+$/.test(note.id)) return;
    var row = document.getElementById('mine-' + note.id);
    if (!row) return;
    // Its badge, not its class: htmx settles a swapped element's class a moment after the swap.
    var state = note.querySelector('.note__badge--waiting') ? 'waiting' : 'sent';
    row.setAttribute('data-state', state);
    row.querySelector('.mine__state').textContent = t(state);
  }
  yoriai.on('inserted', followMine);
  document.addEventListener('htmx:oobAfterSwap', function (event) { followMine(event.target); });

  yoriai.on('linked', flushOutbox);
})();
