/* yoriai: the little JavaScript the live board needs (htmx does the rest). */
(function () {
  'use strict';

  // Reconnect from the last change this screen applied: the server sends only what it missed.
  htmx.createWebSocket = function (url) {
    var marker = document.getElementById('board-seq');
    var after = (marker && marker.getAttribute('data-seq')) || '0';
    var socket = new WebSocket(url + (url.indexOf('?') < 0 ? '?' : '&') + 'after=' + encodeURIComponent(after));
    socket.binaryType = 'blob';
    return socket;
  };

  // A note this screen does not have yet arrives as an out-of-band swap with no target:
  // put it into its list instead (newest first on phones, in posting order on the projector).
  document.addEventListener('htmx:oobErrorNoTarget', function (event) {
    var element = event.detail && event.detail.content;
    var into = element && element.getAttribute && element.getAttribute('data-into');
    var list = into && document.querySelector(into);
    if (!list) return;
    element.removeAttribute('hx-swap-oob');
    element.classList.add('note--arrived'); // only notes arriving live fade in, not a whole page on load
    if (list.getAttribute('data-order') === 'newest-first') list.insertBefore(element, list.firstChild);
    else list.appendChild(element);
    htmx.process(element);
  });

  // The connection indicator (接続中 / 再接続中 / オフライン).
  var labels = { connected: '接続中', reconnecting: '再接続中…', offline: 'オフライン' };
  function showConnection(state) {
    var indicator = document.getElementById('conn');
    if (!indicator) return;
    indicator.className = 'conn conn--' + state;
    indicator.querySelector('.conn__label').textContent = labels[state];
  }
  document.addEventListener('htmx:wsOpen', function () { showConnection('connected'); });
  document.addEventListener('htmx:wsClose', function () {
    showConnection(navigator.onLine === false ? 'offline' : 'reconnecting');
  });
  window.addEventListener('offline', function () { showConnection('offline'); });

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
