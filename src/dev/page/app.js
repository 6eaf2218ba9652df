import { getJson } from './dom.js';
import { render as renderMap } from './service-map.js';
import { render as renderList } from './trace-list.js';
import { render as renderTrace } from './waterfall.js';

// Routes: #/ (trace list), #/trace/<id> (waterfall), #/map (service map). The page polls the
// store's version and redraws the current view when it changes: live, without reloading.
const POLL_MS = 1000;
const view = document.getElementById('view');
const stats = document.getElementById('stats');
let shownVersion = -1;
let drawing = Promise.resolve();

function route() {
  const hash = location.hash || '#/';
  document.getElementById('nav-traces').classList.toggle('active', !hash.startsWith('#/map'));
  document.getElementById('nav-map').classList.toggle('active', hash.startsWith('#/map'));
  const trace = /^#\/trace\/([0-9a-f-]+)$/.exec(hash);
  if (trace) return renderTrace(view, trace[1]);
  if (hash.startsWith('#/map')) return renderMap(view);
  return renderList(view, draw);
}

function draw() {
  drawing = drawing.then(route).then(
    () => view.setAttribute('data-ready', 'true'),
    (error) => { view.textContent = `Could not draw this view: ${error.message}`; });
  return drawing;
}

function showStats(s) {
  const rejected = s.rejected.protobuf + s.rejected.json + s.rejected.udp + s.rejected.other;
  stats.textContent = `OTLP ${s.addresses.otlp} · X-Ray UDP ${s.addresses.udp} · ${s.traces} traces (last ${s.limits.maxTraces} kept), ${s.spans} spans` +
    ` · ${rejected} bad payloads${s.lastRejection ? ` (last: ${s.lastRejection})` : ''}`;
}

async function poll() {
  try {
    const s = await getJson('/api/stats');
    showStats(s);
    // A redraw would take the focus from a filter being edited: wait until it is left.
    const editing = view.contains(document.activeElement) && ['INPUT', 'SELECT'].includes(document.activeElement.tagName);
    if (s.version !== shownVersion && !editing) {
      shownVersion = s.version;
      await draw();
    }
  } catch {
    stats.textContent = 'The viewer is not answering.';
  }
  setTimeout(poll, POLL_MS);
}

window.addEventListener('hashchange', () => { view.removeAttribute('data-ready'); draw(); });
poll();
