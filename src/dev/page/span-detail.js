import { h, ms } from './dom.js';

const show = (value) => (typeof value === 'string' ? value : JSON.stringify(value));

function table(entries, className) {
  if (entries.length === 0) return h('p', { class: 'empty' }, 'none');
  return h('table', { class: className }, h('tbody', {}, entries.map(([key, value]) => h('tr', {}, h('th', {}, key), h('td', {}, show(value))))));
}

/** A span's attributes, events and X-Ray document, with X-Ray's warnings on top. */
export function spanDetail(span) {
  return h('div', { class: 'span-detail', 'data-span-id': span.spanId },
    h('h3', {}, `${span.service} · ${span.kind} ${span.name}`),
    h('p', {}, `${ms(span.endMs - span.startMs)} · status ${span.status}${span.statusMessage ? ` (${span.statusMessage})` : ''} · from ${span.source === 'otlp' ? 'OTLP' : 'the X-Ray daemon protocol'}`),
    span.warnings.length > 0
      ? h('ul', { class: 'warnings' }, span.warnings.map((warning) => h('li', { class: 'warning' }, `⚠ ${warning}`)))
      : h('p', { class: 'no-warnings' }, '✓ X-Ray accepts this document as it is.'),
    h('div', { class: 'columns' },
      h('div', {},
        h('h4', {}, 'Attributes'), table(Object.entries(span.attributes), 'attributes'),
        h('h4', {}, 'Events'),
        span.events.length === 0 ? h('p', { class: 'empty' }, 'none') : h('ul', { class: 'events' }, span.events.map((event) =>
          h('li', {}, h('strong', {}, event.name), ` +${ms(event.timeMs - span.startMs)}`, table(Object.entries(event.attributes), 'attributes'))))),
      h('div', {},
        h('h4', {}, span.document.type === 'subsegment' ? 'X-Ray subsegment document' : 'X-Ray segment document'),
        h('pre', { class: 'xray-document' }, JSON.stringify(span.document, null, 2)))));
}
