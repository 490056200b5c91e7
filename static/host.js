/* yoriai: a table host's page (テーブルホスト, templates/boards/host.html), after static/core.js.
   1. live: the page listens on the board socket as its table's own wall does (?view=host: the
      same rendering per table, never one per socket). A message only says *whether* the table
      changed: then the page fetches its region again (…/host/region), at most once a second, so
      a busy room costs each host's page one small GET a second at most, and the server renders
      nothing per socket;
   2. actions post with htmx and swap the region (no reload); a note dragged (mouse or a long
      press on touch) onto a group, onto 「新しいグループ」 or back to the loose notes is moved there.
      The 「移す」 form stays for the keyboard and for screens without drag. */
(function () {
  'use strict';
  var live = document.querySelector('[data-host-live]');
  if (!live || !window.htmx) return;

  /* ---- 1. live ------------------------------------------------------------------------------ */

  var seq = live.getAttribute('data-seq') || '0';
  var regionUrl = live.getAttribute('data-region');
  var MIN_GAP = 1000; // ms between two fetches of the region
  var lastFetch = 0, timer = null, fetching = false, again = false, dragging = false;

  function region() { return document.getElementById('host-region'); }

  // Typing a group's name, a group chosen in a note's 「移す」 list but not sent yet, or dragging a
  // note: the region is fetched once that is over (a swap would throw the half-done choice away).
  function changed(field) {
    if (field.tagName === 'SELECT') {  // with no option marked selected, the first one is the default
      var initial = 0;
      Array.prototype.forEach.call(field.options, function (o, i) { if (o.defaultSelected) initial = i; });
      return field.selectedIndex !== initial;
    }
    return field.value !== field.defaultValue;
  }
  function busy() {
    var here = region();
    if (dragging) return true;
    if (!here) return false;
    return Array.prototype.some.call(here.querySelectorAll('input[type=text], input:not([type]), select'), changed);
  }
  function refreshSoon() {
    if (timer) return;
    var wait = Math.max(0, lastFetch + MIN_GAP - Date.now());
    timer = setTimeout(function () { timer = null; refresh(); }, wait);
  }
  function refresh() {
    if (fetching) { again = true; return; }
    if (busy()) { setTimeout(refreshSoon, MIN_GAP); return; }
    fetching = true; lastFetch = Date.now(); fetchedAt = actions;
    htmx.ajax('GET', regionUrl, { source: region(), target: '#host-region', swap: 'outerHTML' })
      .then(done, done);
  }
  function done() {
    fetching = false;
    if (again) { again = false; refreshSoon(); }
  }
  // A fetch that comes back while a name is being typed, or after an action of this page began
  // (its own answer is newer), is dropped and made again.
  var actions = 0, fetchedAt = 0;
  document.addEventListener('htmx:beforeRequest', function (event) {
    var verb = event.detail.requestConfig && event.detail.requestConfig.verb;
    if (verb && verb !== 'get') actions += 1;
  });
  document.addEventListener('htmx:beforeSwap', function (event) {
    var config = event.detail.requestConfig;
    if (!config || config.verb !== 'get' || config.path !== regionUrl) return;
    if (busy() || actions !== fetchedAt) { event.detail.shouldSwap = false; again = true; }
  });
  // An action answered with nothing to swap (a note hidden: 204): the region is fetched again.
  document.addEventListener('htmx:afterRequest', function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 204) refreshSoon();
  });
  // The region of another table (this host moved): the page loads again, with its socket for the
  // table it hosts now. A refusal (no longer a host) comes as a message in #flash instead.
  document.addEventListener('htmx:afterSwap', function () {
    var now = region();
    if (!now || now.getAttribute('data-table') !== tableId) window.location.reload();
  });
  var tableId = region() ? region().getAttribute('data-table') : '';

  // Whether a message touches this table: a note of it (new or changed: the table's wall gets no
  // other table's notes), a group that holds its notes, a note or group of this page that left,
  // or the table's count of people (someone sat down or moved, this host perhaps).
  function touches(html) {
    var holder = document.createElement('template');
    holder.innerHTML = html;
    var changed = false;
    Array.prototype.forEach.call(holder.content.children, function (element) {
      if (element.hasAttribute('data-reload-page')) { window.location.reload(); return; }
      var id = element.id || '';
      if (id === 'board-seq') { seq = element.getAttribute('data-seq') || seq; return; }
      var found = /^(note|cluster)-(\d+)$/.exec(id);
      if (found) {
        if (element.getAttribute('hx-swap-oob') !== 'delete') changed = true;
        else if (document.getElementById((found[1] === 'note' ? 'host-note-' : 'host-group-') + found[2])) changed = true;
      } else if (id === 'table-' + tableId + '-count') changed = true;
    });
    return changed;
  }

  var socket = null, failures = 0, opened = false, pollTimer = null, stopped = false;
  function connect() {
    if (stopped) return;
    var scheme = window.location.protocol === 'https:' ? 'wss://' : 'ws://';
    try {
      socket = new WebSocket(scheme + window.location.host + live.getAttribute('data-socket') + '&after=' + encodeURIComponent(seq));
    } catch (e) { poll(); return; }
    socket.onopen = function () {
      if (failures) refreshSoon(); // what changed while away
      failures = 0; opened = true;
    };
    socket.onmessage = function (event) { if (touches(String(event.data))) refreshSoon(); };
    socket.onclose = function (event) {
      socket = null;
      // 4403: not (or no longer) this table's host; 4008: this page is open elsewhere. Final.
      if (event.code === 4403 || event.code === 4008) { stopped = true; return; }
      failures += 1;
      if (!opened && failures >= 2) { poll(); return; } // the network blocks websockets
      var step = Math.min(15000, 300 * Math.pow(2, failures - 1));
      setTimeout(connect, step / 2 + Math.random() * step / 2);
    };
  }
  // No websockets here: the region is fetched every five seconds instead.
  function poll() {
    if (pollTimer) return;
    pollTimer = setInterval(refreshSoon, 5000);
  }
  connect();

  /* ---- 2. drag a note onto a group ------------------------------------------------------------ */

  function makeSortable() {
    if (!window.Sortable) return;
    Array.prototype.forEach.call(document.querySelectorAll('#host-region [data-host-drop]'), function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: 'host-notes', animation: 150, delay: 120, delayOnTouchOnly: true, draggable: '.host-note',
        forceFallback: true, supportPointer: false, // touch: a long press drags, a swipe still scrolls
        filter: 'button, a, input, select, label', preventOnFilter: false, scroll: true, bubbleScroll: true,
        // From the press on (a long press on touch): a fetch that comes back meanwhile waits.
        onChoose: function () { dragging = true; },
        onUnchoose: function () { dragging = false; },
        onStart: function () { document.body.classList.add('is-dragging'); },
        onEnd: function (event) {
          dragging = false;
          document.body.classList.remove('is-dragging');
          if (event.to === event.from) return;
          var noteId = event.item.getAttribute('data-note');
          var before = region();
          htmx.ajax('POST', before.getAttribute('data-base') + '/notes/' + noteId + '/group', {
            source: before, target: '#host-region', swap: 'outerHTML',
            values: { into: event.to.getAttribute('data-host-drop') }
          }).then(function () {
            if (region() === before) refreshSoon(); // refused (the message is shown): put it back
          });
        }
      });
    });
  }
  htmx.onLoad(makeSortable);
})();
