import { getJson, h, ms, serviceColour } from './dom.js';
import { spanDetail } from './span-detail.js';

// The span whose details are open, kept across live refreshes.
let selected = { traceId: '', spanId: '' };

function bar(span, traceStart, traceDuration) {
  const left = traceDuration > 0 ? ((span.startMs - traceStart) / traceDuration) * 100 : 0;
  const width = traceDuration > 0 ? Math.max(((span.endMs - span.startMs) / traceDuration) * 100, 0.3) : 100;
  const state = span.document.fault ? 'fault' : span.document.error ? 'error' : span.document.throttle ? 'throttle' : 'ok';
  return h('div', { class: 'timeline' },
    h('div', { class: `bar ${state}`, style: { left: `${left}%`, width: `${width}%`, background: state === 'ok' ? serviceColour(span.service) : undefined } }),
    span.events.map((event) => h('span', {
      class: 'event-mark', title: event.name,
      style: { left: `${traceDuration > 0 ? ((event.timeMs - traceStart) / traceDuration) * 100 : 0}%` },
    })),
    // A bar reaching the right edge carries its duration inside.
    left + width > 88
      ? h('span', { class: 'span-duration inside', style: { right: `${Math.max(100 - left - width, 0)}%` } }, ms(span.endMs - span.startMs))
      : h('span', { class: 'span-duration', style: { left: `${left + width}%` } }, ms(span.endMs - span.startMs)));
}

function axis(duration) {
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return h('div', { class: 'span-row axis' }, h('div', { class: 'label' }, 'Span'),
    h('div', { class: 'timeline' }, ticks.map((tick) => h('span', { class: 'tick', style: { left: `${tick * 94}%` } }, ms(duration * tick)))));
}

/** One trace: a row per span, nested by parent, bars on a shared time axis; a click opens the span's X-Ray document. */
export async function render(view, traceId) {
  const { summary, spans } = await getJson(`/api/traces/${traceId}`);
  if (selected.traceId !== traceId) selected = { traceId, spanId: '' };
  const detail = h('section', { id: 'span-detail' });
  const open = (span) => {
    selected.spanId = span.spanId;
    for (const row of view.querySelectorAll('.span-row.selected')) row.classList.remove('selected');
    view.querySelector(`.span-row[data-span-id="${span.spanId}"]`)?.classList.add('selected');
    detail.replaceChildren(spanDetail(span));
  };
  const rows = spans.map((span) => h('div', {
    class: `span-row${span.warnings.length > 0 ? ' has-warnings' : ''}`,
    'data-span-id': span.spanId,
    'data-depth': span.depth,
    'data-service': span.service,
    'data-kind': span.kind,
    'data-name': span.name,
    tabindex: 0,
    onclick: () => open(span),
    onkeydown: (event) => { if (event.key === 'Enter') open(span); },
  },
  h('div', { class: 'label', style: { paddingLeft: `${span.depth * 18 + 6}px` } },
    span.callerSpanId ? h('span', { class: 'caller', title: `the caller's span ${span.callerSpanId} is not in this trace` }, '↳ ') : '',
    h('span', { class: 'service', style: { background: serviceColour(span.service) } }, span.service),
    h('span', { class: 'kind' }, span.kind),
    h('span', { class: 'span-name' }, span.name),
    span.warnings.length > 0 ? h('span', { class: 'badge warning', title: span.warnings.join('\n') }, `⚠ ${span.warnings.length}`) : ''),
  bar(span, summary.startMs, summary.durationMs)));
  view.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, '← Traces')),
    h('h2', {}, summary.name, ' ', h('code', { class: 'trace-id' }, summary.xrayTraceId)),
    h('p', { class: 'summary' }, `${summary.services.join(' · ')} — ${ms(summary.durationMs)}, ${summary.spanCount} spans`),
    h('section', { class: 'waterfall' }, axis(summary.durationMs), rows),
    detail);
  const again = spans.find((span) => span.spanId === selected.spanId);
  if (again) open(again);
}
