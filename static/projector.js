/* yoriai's projector (after static/core.js): the wall read from the back of the hall.
   1. fit: the largest note size at which the whole wall is one screen, down to the floor; past
      the floor the wall is pages that turn by themselves, at the pace set in the controls
   2. the join panel: big while people arrive (the first phase), then a corner card
   3. full screen, and the cursor and the controls hidden when the mouse rests */
(function () {
  'use strict';
  var yoriai = window.yoriai;

  /* ---- 1. the wall -------------------------------------------------------------------------- */

  // The wall's flow is a CSS multi-column box as high as the wall: groups and notes run down its
  // columns, and columns that do not fit continue to the right, off screen. A page is one
  // screenful of columns; showing page k slides the flow left by k screen widths (--page), so
  // a note never straddles two pages and one arriving at the end never moves what is shown.
  var FLOOR = 3;
  var FLOWS = 4; // groups of more notes than this flow on from column to column
  var wall = { page: 0, pages: 1, timer: null, shownAt: 0 };

  function parts() {
    var layout = document.querySelector('.projector-layout');
    var flow = layout && layout.querySelector('.wall__flow');
    return flow ? { layout: layout, flow: flow, view: flow.parentNode } : null;
  }
  function bandFor(count) { return Math.min(FLOOR, 1 + (count > 12) + (count > 24)); }
  function pitch(p) { // one page: the wall's width and one column gap
    return p.view.getBoundingClientRect().width + (parseFloat(getComputedStyle(p.flow).columnGap) || 0);
  }
  // How many pages the wall's columns fill (the last note's column says), and whether a note is
  // split over two columns (taller than the wall: then this size is too big).
  function measure(p, only) {
    var notes = only ? [only] : p.flow.querySelectorAll('.note, .cluster__head, .table-block__head');
    var left = p.flow.getBoundingClientRect().left, step = pitch(p), last = 0, split = false;
    for (var i = 0; i < notes.length; i++) {
      var rects = notes[i].getClientRects();
      if (!rects.length) continue;
      if (rects.length > 1) split = true;
      last = Math.max(last, rects[0].left - left);
    }
    return { pages: Math.floor(last / step + 0.02) + 1, split: split }; // + 0.02: rounding
  }
  function countClusters(flow) {
    Array.prototype.forEach.call(flow.querySelectorAll('.cluster'), function (cluster) {
      var n = cluster.querySelector('.cluster__n');
      var count = String(cluster.querySelectorAll('.note').length);
      if (n && n.textContent !== count) n.textContent = count;
      // A small group stays whole in one column; a big one starts where the column has room
      // (it spans columns anyway: kept whole, it would leave the rest of a column empty).
      cluster.classList.toggle('cluster--flows', Number(count) > FLOWS);
    });
  }
  // The largest size (and narrow columns before wide ones) at which the wall is one page with no
  // note split over two columns; at the floor, the narrow columns unless a long note needs more.
  function fitWall() {
    var p = parts();
    if (!p) return;
    countClusters(p.flow);
    var count = p.flow.querySelectorAll('.note').length, seen = null;
    for (var band = bandFor(count); band <= FLOOR; band++) {
      p.layout.setAttribute('data-density', String(band));
      for (var w = 0; w < 2; w++) {
        p.layout.setAttribute('data-columns', w ? 'wide' : 'narrow');
        seen = measure(p);
        if (!seen.split && (seen.pages === 1 || band === FLOOR)) return setPages(p, seen.pages);
      }
    }
    setPages(p, seen.pages);
  }
  // A note arrived at the end: one read, unless it opened a page at a size above the floor.
  function fitArrival(note) {
    var p = parts();
    if (!p) return;
    countClusters(p.flow);
    var seen = measure(p, note);
    if (seen.split || (seen.pages > wall.pages && p.layout.getAttribute('data-density') !== String(FLOOR))) fitWall();
    else setPages(p, Math.max(wall.pages, seen.pages));
  }
  function setPages(p, pages) {
    wall.pages = pages;
    if (wall.page >= pages) wall.page = 0;
    show(p);
    schedule();
  }
  function show(p) {
    p.flow.style.setProperty('--page', String(wall.page));
    p.layout.setAttribute('data-page', String(wall.page + 1));
    p.layout.setAttribute('data-pages', String(wall.pages));
    wall.shownAt = Date.now();
    var pager = p.layout.querySelector('.wall-pager');
    if (!pager) return;
    pager.hidden = wall.pages < 2;
    if (pager.hidden) return;
    pager.querySelector('.wall-pager__text').textContent = yoriai.t('page_of', { page: wall.page + 1, pages: wall.pages });
    var dots = '';
    for (var i = 0; i < wall.pages && wall.pages <= 12; i++) dots += i === wall.page ? '●' : '○';
    pager.querySelector('.wall-pager__dots').textContent = dots;
  }
  function turn(step) {
    var p = parts();
    if (!p || wall.pages < 2) return;
    wall.page = (wall.page + step + wall.pages) % wall.pages;
    show(p);
    schedule();
  }

  // The pace: seconds a page stays (0: the pages stay until turned by hand), kept per meeting in
  // this browser, set with the select in the controls.
  function paceKey() { return 'yoriai-wall-pace-' + yoriai.meetingId(); }
  function pace() {
    var select = document.querySelector('[data-page-pace]');
    return select ? Number(select.value) : 20;
  }
  function schedule() {
    clearTimeout(wall.timer);
    wall.timer = null;
    if (wall.pages < 2 || !pace()) return;
    wall.timer = setTimeout(function () { turn(1); }, pace() * 1000);
  }
  document.addEventListener('change', function (event) {
    if (!event.target.hasAttribute || !event.target.hasAttribute('data-page-pace')) return;
    try { localStorage.setItem(paceKey(), event.target.value); } catch (e) { /* private mode */ }
    schedule();
  });
  document.addEventListener('click', function (event) {
    var button = event.target.closest && event.target.closest('[data-page-step]');
    if (button) turn(Number(button.getAttribute('data-page-step')));
  });
  document.addEventListener('keydown', function (event) {
    if (!document.querySelector('.projector-layout') || event.target.closest('select, input, textarea')) return;
    if (event.key === 'ArrowRight' || event.key === 'PageDown') turn(1);
    if (event.key === 'ArrowLeft' || event.key === 'PageUp') turn(-1);
  });

  // Load, resize, a note moved or changed, a group: fit again from the start. A new note: the
  // one-read check.
  var fitPending = null;
  function fitSoon(kind) {
    if (!document.querySelector('.projector-layout') || fitPending === 'full') return;
    var first = !fitPending;
    fitPending = kind === 'full' || fitPending ? 'full' : kind;
    if (first) requestAnimationFrame(function () {
      var full = fitPending === 'full', note = fitPending;
      fitPending = null;
      if (full) fitWall(); else fitArrival(note);
    });
  }
  yoriai.on('inserted', function (element) {
    // A loose note lands at the end of the wall; a table's (島) note in the middle: all is fitted again.
    if (element.classList.contains('note') && element.parentNode && element.parentNode.id === 'notes') fitSoon(element);
    else fitSoon('full');
  });
  yoriai.on('moved', function () { fitSoon('full'); });
  document.addEventListener('htmx:oobAfterSwap', function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.closest && target.closest('.wall, #ranking-slot, #projects')) fitSoon('full');
    if (target && target.id === 'phase-bar') placeJoinPanel();
  });
  document.addEventListener('htmx:afterSettle', function (event) {
    var target = event.detail && event.detail.elt;
    if (target && target.closest && target.closest('.projector-board')) fitSoon('full');
  });
  window.addEventListener('resize', function () { fitSoon('full'); });

  /* ---- 2. the join panel -------------------------------------------------------------------- */

  // Big during the first phase (and before the meeting opens), then compact; the controls' button
  // overrides that for this meeting in this browser until it is pressed again.
  function joinKey() { return 'yoriai-join-panel-' + yoriai.meetingId(); }
  function joinChoice() { try { return localStorage.getItem(joinKey()); } catch (e) { return null; } }
  function placeJoinPanel() {
    var layout = document.querySelector('.projector-layout');
    var bar = document.getElementById('phase-bar');
    if (!layout || !bar) return;
    var arriving = bar.getAttribute('data-phase') === '0' || bar.getAttribute('data-status') !== 'open';
    var want = joinChoice() || (arriving ? 'big' : 'compact');
    if (layout.getAttribute('data-join') !== want) {
      layout.setAttribute('data-join', want);
      fitSoon('full');
    }
  }
  document.addEventListener('click', function (event) {
    if (!(event.target.closest && event.target.closest('[data-join-toggle]'))) return;
    var layout = document.querySelector('.projector-layout');
    var want = layout.getAttribute('data-join') === 'big' ? 'compact' : 'big';
    try { localStorage.setItem(joinKey(), want); } catch (e) { /* private mode */ }
    layout.setAttribute('data-join', want);
    fitSoon('full');
  });

  document.addEventListener('DOMContentLoaded', function () {
    var select = document.querySelector('[data-page-pace]');
    var kept = null;
    try { kept = localStorage.getItem(paceKey()); } catch (e) { kept = null; }
    if (select && kept !== null && select.querySelector('option[value="' + kept + '"]')) select.value = kept;
    placeJoinPanel();
    fitSoon('full');
  });

  /* ---- 3. full screen and the idle cursor --------------------------------------------------- */

  // The cursor and the controls show while the mouse moves, and hide after 3 seconds.
  var idleTimer = null;
  document.addEventListener('mousemove', function () {
    var body = document.body;
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
