import { type PlacedSpan, xrayTraceId } from './trace-view.js';

/** The attributes worth a place on a span's line, in this order. */
const KEY_ATTRIBUTES = [
  'http.route',
  'http.response.status_code',
  'url.full',
  'rpc.service',
  'rpc.method',
  'aws.operation',
  'aws.dynamodb.table_names',
  'aws.request_id',
  'error.type',
];

const show = (value: unknown): string => (Array.isArray(value) ? `[${value.map(show).join(',')}]` : String(value));

function line(span: PlacedSpan): string {
  const annotations = Object.entries(span.document.annotations ?? {}).map(([key, value]) => `${key}=${show(value)}`);
  const attributes = KEY_ATTRIBUTES.filter((key) => span.attributes[key] !== undefined).map((key) => `${key}=${show(span.attributes[key])}`);
  const warnings = span.warnings.length === 0 ? '' : `  ⚠ ${span.warnings.length} X-Ray warning${span.warnings.length === 1 ? '' : 's'}`;
  const duration = (span.endMs - span.startMs).toFixed(1);
  return `[${span.service}] ${span.kind} ${span.name}  ${duration} ms  ${span.status}  ${[...attributes, ...annotations].join(' ')}`.trimEnd() + warnings;
}

/** A trace as an indented tree: roots first, children in start order. */
export function renderTree(traceId: string, placed: PlacedSpan[]): string {
  const out = [`Trace ${xrayTraceId(traceId)}`];
  placed.forEach((span, index) => {
    // A span is the last of its siblings when no later span sits at its depth before the tree climbs above it.
    const isLast = (position: number, depth: number): boolean => {
      for (let next = position + 1; next < placed.length; next++) {
        if (placed[next].depth < depth) return true;
        if (placed[next].depth === depth) return false;
      }
      return true;
    };
    let prefix = '';
    // Each ancestor level draws a bar while that ancestor has siblings still to come.
    let ancestor = index;
    const bars: string[] = [];
    for (let depth = span.depth - 1; depth >= 0; depth--) {
      while (placed[ancestor].depth > depth) ancestor--;
      bars.unshift(isLast(ancestor, depth) ? '   ' : '│  ');
    }
    prefix = bars.join('');
    if (span.callerSpanId !== undefined) out.push(`   (caller's span ${span.callerSpanId})`);
    out.push(`${prefix}${isLast(index, span.depth) ? '└─ ' : '├─ '}${line(span)}`);
  });
  out.push('');
  return out.join('\n');
}
