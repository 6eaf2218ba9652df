import { getJson, h, ms, serviceColour } from './dom.js';

// Filters survive re-renders (the list refreshes live).
const filters = { service: '', status: '', annotation: '' };

const statusOf = (trace) => (trace.fault ? 'fault' : trace.error ? 'error' : trace.throttle ? 'throttle' : 'ok');

function matches(trace) {
  if (filters.service && !trace.services.includes(filters.service)) return false;
  if (filters.status && statusOf(trace) !== filters.status) return false;
  const wanted = filters.annotation.trim();
  if (wanted) {
    const [key, value] = wanted.split('=');
    const entries = Object.entries(trace.annotations).filter(([name]) => name === key.trim());
    if (entries.length === 0) return false;
    if (value !== undefined && !entries.some(([, actual]) => String(actual) === value.trim())) return false;
  }
  return true;
}

function select(name, label, options, refresh) {
  return h('label', {}, `${label} `,
    h('select', { name, onchange: (event) => { filters[name] = event.target.value; refresh(); } },
      h('option', { value: '' }, 'all'),
      options.map((option) => h('option', { value: option, selected: filters[name] === option }, option))));
}

function row(trace) {
  const status = statusOf(trace);
  return h('tr', { 'data-trace-id': trace.traceId, class: `status-${status}`, onclick: () => { location.hash = `#/trace/${trace.traceId}`; } },
    h('td', {}, new Date(trace.startMs).toLocaleTimeString()),
    h('td', {}, h('a', { href: `#/trace/${trace.traceId}`, class: 'trace-name' }, trace.name)),
    h('td', {}, h('span', { class: 'service', style: { background: serviceColour(trace.service) } }, trace.service)),
    h('td', { class: 'number' }, ms(trace.durationMs)),
    h('td', { class: 'number' }, trace.spanCount),
    h('td', {}, h('span', { class: `badge ${status}` }, status)),
    h('td', { class: 'annotations' }, Object.entries(trace.annotations).map(([key, value]) => h('code', {}, `${key}=${value}`))),
    h('td', {}, trace.warningCount > 0 ? h('span', { class: 'badge warning' }, `⚠ ${trace.warningCount}`) : ''),
    h('td', {}, h('code', { class: 'trace-id' }, trace.xrayTraceId)));
}

/** The trace list, newest first, with its filters; `refresh` redraws it. */
export async function render(view, refresh) {
  const { traces } = await getJson('/api/traces');
  const services = [...new Set(traces.flatMap((trace) => trace.services))].sort();
  const shown = traces.filter(matches);
  const annotation = h('input', {
    name: 'annotation', placeholder: 'key or key=value', value: filters.annotation,
    oninput: (event) => { filters.annotation = event.target.value; },
    onchange: refresh,
  });
  view.replaceChildren(
    h('section', { class: 'filters' },
      select('service', 'Service', services, refresh),
      select('status', 'Status', ['ok', 'error', 'fault', 'throttle'], refresh),
      h('label', {}, 'Annotation ', annotation),
      h('span', { class: 'count' }, `${shown.length} of ${traces.length} traces`)),
    traces.length === 0
      ? h('p', { class: 'empty' }, 'No traces yet. Point an exporter at the addresses above.')
      : h('table', { class: 'traces' },
        h('thead', {}, h('tr', {}, ['Started', 'Root', 'Service', 'Duration', 'Spans', 'Status', 'Annotations', 'X-Ray warnings', 'Trace id'].map((title) => h('th', {}, title)))),
        h('tbody', {}, shown.map(row))));
}
