// Prints OTLP/JSON spans as one indented tree per trace, with X-Ray trace ids.
const KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];
const KEY_ATTRIBUTES = [
  'http.route',
  'http.response.status_code',
  'url.full',
  'rpc.service',
  'rpc.method',
  'aws.dynamodb.table_names',
  'aws.request_id',
  'error.type',
  'order_id',
];

function attributeValue(value) {
  if (value.arrayValue) return `[${(value.arrayValue.values ?? []).map(attributeValue).join(',')}]`;
  return value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue ?? '';
}

/** Flattens an OTLP/JSON export request into plain span records. */
export function spansOf(request) {
  const spans = [];
  for (const { resource, scopeSpans } of request.resourceSpans ?? []) {
    const service = resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue ?? '?';
    for (const { spans: scoped } of scopeSpans ?? []) {
      for (const span of scoped ?? []) {
        const attributes = Object.fromEntries((span.attributes ?? []).map((a) => [a.key, attributeValue(a.value)]));
        spans.push({ ...span, service, attributes });
      }
    }
  }
  return spans;
}

const xrayId = (traceId) => `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
const durationMs = (span) => (Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6).toFixed(1);

function line(span) {
  const status = STATUS[span.status?.code ?? 0];
  const attributes = KEY_ATTRIBUTES.filter((key) => span.attributes[key] !== undefined)
    .map((key) => `${key}=${span.attributes[key]}`)
    .join(' ');
  return `[${span.service}] ${KINDS[span.kind] ?? span.kind} ${span.name}  ${durationMs(span)} ms  ${status}  ${attributes}`;
}

/** Renders every trace in `spans` as a tree, roots first, children in start order. */
export function renderTraces(spans) {
  const byTrace = new Map();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  const out = [];
  for (const [traceId, traceSpans] of byTrace) {
    traceSpans.sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
    const ids = new Set(traceSpans.map((s) => s.spanId));
    const children = (parentId) => traceSpans.filter((s) => s.parentSpanId === parentId);
    const walk = (span, prefix, last) => {
      out.push(`${prefix}${last ? '└─ ' : '├─ '}${line(span)}`);
      const kids = children(span.spanId);
      kids.forEach((kid, i) => walk(kid, prefix + (last ? '   ' : '│  '), i === kids.length - 1));
    };
    out.push(`Trace ${xrayId(traceId)}`);
    const roots = traceSpans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
    roots.forEach((root, i) => {
      if (root.parentSpanId) out.push(`   (caller's span ${root.parentSpanId})`);
      walk(root, '', i === roots.length - 1);
    });
    out.push('');
  }
  return out.join('\n');
}
