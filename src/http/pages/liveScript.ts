/**
 * `/ui/live.js`: the index page's only script. It follows `GET /changes/stream` from the position the
 * page was built at and puts each change to today's stances at the top of the page's list of changes,
 * marking the table cell it makes out of date. Without it the page is complete, only not live. Nothing
 * from the stream becomes markup: every text is set as text. A string here, not a file: the project's
 * TypeScript has no DOM library, and the browser test is what runs it.
 */
export const liveScript = `'use strict';
(function () {
  var section = document.getElementById('changes');
  if (section === null || typeof EventSource === 'undefined') return;
  var list = section.querySelector('ol.change-list');
  var status = section.querySelector('.live-status');
  var empty = section.querySelector('.no-changes');
  var showsToday = section.getAttribute('data-shows-today') === 'true';
  var KEEP = 100;

  function words(name) { return String(name).replace(/_/g, ' '); }
  function nameOf(id) {
    var link = document.querySelector('tr[data-jurisdiction="' + CSS.escape(id) + '"] th a');
    return link === null ? id : link.textContent;
  }
  function node(tag, text, className) {
    var element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    if (className !== undefined) element.className = className;
    return element;
  }
  function say(text) { status.hidden = false; status.textContent = text; }

  function show(change) {
    var item = node('li', undefined, 'live');
    item.appendChild(node('span', 'Just now', 'when'));
    item.appendChild(document.createTextNode(' '));
    var place = node('a', nameOf(change.jurisdictionId));
    place.href = '/ui/jurisdictions/' + encodeURIComponent(change.jurisdictionId);
    item.appendChild(place);
    item.appendChild(document.createTextNode(', ' + words(change.dimension) + ' today: '));
    item.appendChild(node('span', words(change.before), 'value'));
    item.appendChild(document.createTextNode(' → '));
    item.appendChild(node('span', words(change.after), 'value'));
    var last = change.causedBy[change.causedBy.length - 1];
    if (last !== undefined) {
      item.appendChild(document.createTextNode(' · '));
      var claim = node('a', 'the event (JSON)');
      claim.href = '/events/' + encodeURIComponent(last);
      item.appendChild(claim);
    }
    list.insertBefore(item, list.firstChild);
    if (showsToday) {
      var cell = document.querySelector('tr[data-jurisdiction="' + CSS.escape(change.jurisdictionId) + '"] td[data-dimension="' + CSS.escape(change.dimension) + '"]');
      if (cell !== null && cell.querySelector('.live-note') === null) {
        cell.classList.add('stale');
        cell.appendChild(node('span', ' changed since this page loaded: reload', 'live-note'));
      }
    }
  }

  var source = new EventSource(section.getAttribute('data-stream'));
  source.addEventListener('open', function () { say('Live: changes to today’s stances appear at the top as they are recorded.'); });
  source.addEventListener('error', function () { say('Live updates are interrupted; reconnecting…'); });
  source.addEventListener('changes', function (message) {
    var data = JSON.parse(message.data);
    data.changes.forEach(show);
    if (data.changes.length > 0 && empty !== null) empty.hidden = true;
    while (list.children.length > KEEP) list.removeChild(list.lastChild);
  });
})();
`
