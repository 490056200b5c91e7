/* yoriai's console (after static/core.js and SortableJS):
   1. grouping notes by drag and drop, with mouse and touch (a selected note takes the others along),
      and the focus kept on a note moved with the keyboard;
   2. selecting notes (their box: tap or click, Shift+click for a range) and acting on them at once
      from the selection bar (move to a group, a new group, hide all);
   3. filtering by kind and searching, over the notes on the page (live ones too);
   4. keyboard shortcuts (listed on the page), never while typing in a field. */
(function () {
  'use strict';
  var yoriai = window.yoriai;

  function makeSortable(root) {
    if (!window.Sortable) return;
    var lists = root.querySelectorAll ? root.querySelectorAll('[data-sortable]') : [];
    if (root.hasAttribute && root.hasAttribute('data-sortable')) lists = [root].concat(Array.prototype.slice.call(lists));
    Array.prototype.forEach.call(lists, function (list) {
      if (list._sortable) return;
      list._sortable = Sortable.create(list, {
        group: 'notes', animation: 150, delay: 120, delayOnTouchOnly: true, draggable: '.note', forceFallback: true,
        supportPointer: false, // touch events: a long press drags, a swipe still scrolls the page
        filter: 'button, a, textarea, input, select, .note__pick', preventOnFilter: false,
        scroll: true, bubbleScroll: true,
        onStart: function () { fillDock(); document.body.classList.add('is-dragging'); },
        onEnd: function (event) {
          document.body.classList.remove('is-dragging');
          // Dropped on the dock: the note goes back where it was at once, and into its group
          // when the change comes back (also on every other screen).
          if (event.to && event.to.hasAttribute('data-dock-target')) {
            event.from.insertBefore(event.item, event.from.children[event.oldIndex] || null);
          }
        },
        onAdd: function (event) {
          var noteId = event.item.getAttribute('data-note');
          if (selected[noteId] && count() > 1) { // the selected notes go together
            moveSelection(event.to.getAttribute('data-cluster') || '');
            return;
          }
          htmx.ajax('POST', '/f/sessions/' + window.yoriai.meetingId() + '/notes/' + noteId + '/move', {
            source: event.item, swap: 'none', values: { cluster_id: event.to.getAttribute('data-cluster') || '' }
          });
        }
      });
    });
  }
  htmx.onLoad(makeSortable);

  // A note moved with the keyboard comes back as a new element in its group: give the focus
  // back to it (its 操作 menu), so the facilitator can go on from there.
  var focusAfterMove = null;
  document.addEventListener('htmx:beforeRequest', function (event) {
    var form = event.detail.elt;
    if (!form.classList || !form.classList.contains('move-form')) return;
    var note = form.closest('.note');
    if (note) focusAfterMove = '#' + note.id + ' .note__menu > summary'; // its menu (closed again)
  });
  function refocus() {
    var button = focusAfterMove && document.querySelector(focusAfterMove);
    if (!button) return;
    focusAfterMove = null;
    button.focus();
  }
  document.addEventListener('htmx:oobAfterSwap', refocus);

  yoriai.on('inserted', makeSortable);
  yoriai.on('moved', refocus);

  /* ---- 2. selecting notes and acting on them at once ------------------------------------------ */

  var selected = {}; // note id -> true
  var anchorId = null; // the note last ticked: Shift+click ticks the range from there

  function count() { return Object.keys(selected).length; }
  function bar() { return document.getElementById('selection-bar'); }
  function boardNotes() {
    return Array.prototype.slice.call(document.querySelectorAll('#clusters .note, #notes .note'));
  }
  function shownNotes() {
    return boardNotes().filter(function (note) { return !note.classList.contains('is-filtered-out'); });
  }
  function setSelected(note, on) {
    var box = note.querySelector('.note__check'); // a hidden note has none: it cannot be selected
    var id = note.getAttribute('data-note');
    if (on && box) selected[id] = true; else delete selected[id];
    note.classList.toggle('note--selected', !!(on && box));
    if (box) box.checked = !!(on && box);
  }
  function clearSelection() {
    Object.keys(selected).forEach(function (id) {
      var note = document.getElementById('note-' + id);
      if (note) setSelected(note, false); else delete selected[id];
    });
    renderBar();
  }
  // A note redrawn live is a new element: it gets its ticked state back. A note gone, or hidden by
  // another screen meanwhile, leaves the selection.
  function syncSelection() {
    Object.keys(selected).forEach(function (id) {
      var note = document.getElementById('note-' + id);
      if (!note || !note.querySelector('.note__check')) delete selected[id];
      else if (!note.classList.contains('note--selected')) setSelected(note, true);
    });
    renderBar();
  }
  function renderBar() {
    var form = bar();
    if (!form) return;
    var ids = Object.keys(selected);
    form.hidden = ids.length === 0;
    form.querySelector('[data-selected-count]').textContent = String(ids.length);
    var holder = form.querySelector('[data-selected-ids]');
    while (holder.firstChild) holder.removeChild(holder.firstChild);
    ids.forEach(function (id) {
      var input = document.createElement('input');
      input.type = 'hidden'; input.name = 'note_id'; input.value = id;
      holder.appendChild(input);
    });
    fillGroups(form.querySelector('[data-cluster-choices]'));
  }
  // The groups to move to, as the board shows them now (they come and go live); the last choice
  // stays chosen while it exists. The option with no value (out of any group) stays last.
  function fillGroups(select) {
    var groups = currentGroups();
    var signature = JSON.stringify(groups);
    if (select._groups === signature) return; // unchanged: an open list is left alone
    select._groups = signature;
    var keep = select.value, none = select.querySelector('option[value=""]');
    Array.prototype.slice.call(select.options).forEach(function (option) {
      if (option !== none) select.removeChild(option);
    });
    groups.forEach(function (group) {
      var option = document.createElement('option');
      option.value = group[0];
      option.textContent = group[1];
      select.insertBefore(option, none);
    });
    select.value = keep;
    if (select.value !== keep || (!keep && select.options.length > 1 && !select._chosen)) select.selectedIndex = 0;
  }
  // The drop dock: while a note is dragged, every group (and 未分類) is a target in a strip at the
  // bottom of the screen, so a note far down a 300-note board reaches any group without scrolling.
  function fillDock() {
    var dock = document.querySelector('[data-drop-dock]');
    if (!dock || document.body.classList.contains('is-dragging')) return;
    var groups = currentGroups().concat([['', dock.getAttribute('data-ungrouped')]]);
    var signature = JSON.stringify(groups);
    if (dock._groups === signature) return;
    dock._groups = signature;
    Array.prototype.slice.call(dock.querySelectorAll('[data-dock-target]')).forEach(function (target) {
      if (target._sortable) target._sortable.destroy();
      dock.removeChild(target);
    });
    groups.forEach(function (group) {
      var target = document.createElement('div');
      target.className = 'drop-dock__target';
      target.setAttribute('data-dock-target', '');
      target.setAttribute('data-sortable', '');
      target.setAttribute('data-cluster', group[0]);
      var name = document.createElement('span');
      name.className = 'drop-dock__name';
      name.textContent = group[1];
      target.appendChild(name);
      dock.appendChild(target);
      makeSortable(target);
    });
  }
  function currentGroups() {
    return Array.prototype.map.call(document.querySelectorAll('#clusters > .cluster'), function (cluster) {
      var name = cluster.querySelector('.cluster__name');
      var id = cluster.id.replace('cluster-', '');
      return [id, (name && name.textContent.trim()) || id];
    });
  }
  function moveSelection(clusterId) {
    var form = bar(), select = form.querySelector('[data-cluster-choices]');
    renderBar();
    select.value = clusterId;
    form.querySelector('[data-selection-action]').click(); // 「グループへ移動」
  }

  document.addEventListener('click', function (event) {
    var target = event.target;
    if (!target.closest) return;
    var box = target.closest('.note__check');
    if (box) {
      var note = box.closest('.note'), notes = shownNotes();
      var from = anchorId && notes.indexOf(document.getElementById('note-' + anchorId));
      var to = notes.indexOf(note);
      if (event.shiftKey && from !== null && from >= 0 && to >= 0) {
        notes.slice(Math.min(from, to), Math.max(from, to) + 1).forEach(function (n) { setSelected(n, box.checked); });
      } else {
        setSelected(note, box.checked);
      }
      anchorId = note.getAttribute('data-note');
      renderBar();
      return;
    }
    if (target.closest('[data-clear-selection]')) clearSelection();
    if (target.closest('[data-select-shown]')) {
      shownNotes().forEach(function (n) { setSelected(n, true); });
      renderBar();
    }
    var kind = target.closest('[data-kind-filter]');
    if (kind) {
      filter.kind = kind.getAttribute('data-kind-filter');
      Array.prototype.forEach.call(document.querySelectorAll('[data-kind-filter]'), function (chip) {
        chip.setAttribute('aria-pressed', chip === kind ? 'true' : 'false');
      });
      applyFilter();
    }
  });
  document.addEventListener('change', function (event) {
    if (event.target.id === 'selection-cluster') event.target._chosen = true;
  });
  // Enter in the new group's name makes the group; the bar itself never submits the page.
  document.addEventListener('submit', function (event) {
    if (event.target.id !== 'selection-bar') return;
    event.preventDefault();
    if (document.activeElement && document.activeElement.id === 'selection-name') {
      event.target.querySelector('[data-selection-group]').click();
    }
  });
  // Done: the selection is cleared (the notes come back moved or hidden over the websocket). A
  // refusal (4xx) shows its message and keeps the selection, so nothing is lost.
  document.addEventListener('htmx:afterRequest', function (event) {
    var elt = event.detail.elt;
    if (!elt.hasAttribute || !elt.hasAttribute('data-selection-action')) return;
    if (event.detail.xhr && event.detail.xhr.status === 204) {
      var name = document.getElementById('selection-name');
      if (name) name.value = '';
      clearSelection();
    }
  });

  /* ---- 3. filter by kind, and search ---------------------------------------------------------- */

  var filter = { kind: '', words: [] };
  function normal(text) { return String(text || '').normalize('NFKC').toLowerCase(); }
  function matches(note) {
    if (filter.kind && !note.classList.contains('note--' + filter.kind)) return false;
    if (!filter.words.length) return true;
    var text = normal(note.querySelector('.note__text') ? note.querySelector('.note__text').textContent : '');
    return filter.words.every(function (word) { return text.indexOf(word) >= 0; });
  }
  function applyFilter() {
    var on = !!(filter.kind || filter.words.length), shown = 0;
    boardNotes().forEach(function (note) {
      var ok = !on || matches(note);
      note.classList.toggle('is-filtered-out', !ok);
      if (ok) shown += 1;
    });
    var summary = document.querySelector('[data-filter-summary]');
    if (summary) {
      summary.hidden = !on;
      summary.querySelector('[data-shown-count]').textContent = String(shown);
    }
  }
  document.addEventListener('input', function (event) {
    if (event.target.id !== 'note-search') return;
    filter.words = normal(event.target.value).split(/\s+/).filter(Boolean);
    applyFilter();
  });

  // Notes arriving, moving or redrawn live: filtered and ticked as the others (once per frame).
  var pending = false;
  function afterLive() {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      applyFilter();
      syncSelection();
      fillDock();
      if (focusAfterSwap) {
        var note = document.getElementById(focusAfterSwap);
        if (note && (!document.activeElement || document.activeElement === document.body)) note.focus();
        focusAfterSwap = null;
      }
    });
  }
  yoriai.on('inserted', afterLive);
  yoriai.on('moved', afterLive);
  document.addEventListener('htmx:oobAfterSwap', afterLive);
  document.addEventListener('htmx:afterSwap', afterLive);

  /* ---- 4. keyboard shortcuts ------------------------------------------------------------------ */

  var focusAfterSwap = null;
  function typing(target) {
    if (!target || !target.tagName) return false;
    if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
    return target.tagName === 'INPUT' && ['checkbox', 'radio', 'button', 'submit', 'reset'].indexOf(target.type) < 0;
  }
  function currentNote() {
    var active = document.activeElement;
    return active && active.closest ? active.closest('#clusters .note, #notes .note') : null;
  }
  function step(note, by) {
    var notes = shownNotes();
    var next = note ? notes[notes.indexOf(note) + by] : notes[by > 0 ? 0 : notes.length - 1];
    if (next) { next.focus({ preventScroll: true }); next.scrollIntoView({ block: 'nearest' }); }
  }
  function selectFocused(note) {
    if (!count() && note) { setSelected(note, true); anchorId = note.getAttribute('data-note'); }
    renderBar();
    return count() > 0;
  }
  // The one-letter keys can be turned off (WCAG 2.1.4: speech input types letters too); this
  // browser remembers the choice.
  var keysOn = document.querySelector('[data-keys-on]');
  try { if (keysOn && window.localStorage.getItem('yoriai.console-keys') === 'off') keysOn.checked = false; }
  catch (e) { /* storage refused: keys stay on */ }
  document.addEventListener('change', function (event) {
    if (event.target !== keysOn) return;
    try { window.localStorage.setItem('yoriai.console-keys', keysOn.checked ? 'on' : 'off'); } catch (e) { /* kept for this page */ }
  });
  document.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (keysOn && !keysOn.checked) return;
    if (event.isComposing || event.keyCode === 229) return;
    var search = document.getElementById('note-search');
    if (event.key === 'Escape') {
      if (event.target === search) {
        search.value = ''; filter.words = []; applyFilter(); search.blur();
      } else if (typing(event.target)) {
        return;
      }
      Array.prototype.forEach.call(document.querySelectorAll('.note__menu[open], [data-keys-help][open]'), function (d) { d.open = false; });
      clearSelection();
      return;
    }
    if (typing(event.target)) return;
    var note = currentNote(), form = bar();
    switch (event.key) {
      case 'j': step(note, 1); break;
      case 'k': step(note, -1); break;
      case 'ArrowDown': case 'ArrowUp':
        if (!note || document.activeElement !== note) return; // elsewhere the arrows scroll the page
        step(note, event.key === 'ArrowDown' ? 1 : -1);
        break;
      case 'x':
        if (!note || !note.querySelector('.note__check')) return;
        setSelected(note, !selected[note.getAttribute('data-note')]);
        anchorId = note.getAttribute('data-note');
        renderBar();
        break;
      case 'h':
        if (count()) { form.querySelector('[data-selection-hide]').click(); break; }
        var hide = note && note.querySelector('.note__actions > .button--danger');
        if (!hide) return;
        focusAfterSwap = note.id;
        hide.click();
        break;
      case 'g':
        if (!selectFocused(note)) return;
        form.querySelector('[data-cluster-choices]').focus();
        break;
      case 'n':
        if (!selectFocused(note)) return;
        document.getElementById('selection-name').focus();
        break;
      case '/':
        if (!search) return;
        search.focus(); search.select();
        break;
      case '?':
        var help = document.querySelector('[data-keys-help]');
        if (!help) return;
        help.open = !help.open;
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  fillDock();
  renderBar();
})();
