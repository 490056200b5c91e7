/* yoriai's console (after static/core.js and SortableJS): grouping notes by drag and drop, with
   mouse and touch, and the focus kept on a note moved with the keyboard. */
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
        filter: 'button, a, textarea, input', preventOnFilter: false, scroll: true, bubbleScroll: true,
        onAdd: function (event) {
          var noteId = event.item.getAttribute('data-note');
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
})();
