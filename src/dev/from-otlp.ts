import { segmentLimitCounts, spanToSegment } from '../core/exporters/segment/index.js';
import type { OtlpSpanRecord } from './otlp-record.js';
import { toReadableSpan } from './readable-span.js';
import type { ViewerSpan } from './types.js';
import { documentWarnings, translationWarnings } from './warnings.js';

const KINDS: ViewerSpan['kind'][] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUSES: ViewerSpan['status'][] = ['UNSET', 'OK', 'ERROR'];

const millis = (nanos: bigint): number => Number(nanos / 1000n) / 1000;

/** A received OTLP span with its X-Ray document, from the same translation the xray-daemon exporter uses. */
export function fromOtlp(record: OtlpSpanRecord): ViewerSpan {
  const before = segmentLimitCounts();
  const document = spanToSegment(toReadableSpan(record));
  const after = segmentLimitCounts();
  const service = record.resource['service.name'];
  const span: ViewerSpan = {
    traceId: record.traceId,
    spanId: record.spanId,
    name: record.name,
    kind: KINDS[record.kind] ?? 'UNSPECIFIED',
    startMs: millis(record.startNanos),
    endMs: millis(record.endNanos),
    status: STATUSES[record.status.code] ?? 'UNSET',
    attributes: record.attributes,
    events: record.events.map((event) => ({ name: event.name, timeMs: millis(event.timeNanos), attributes: event.attributes })),
    source: 'otlp',
    document,
    warnings: [...translationWarnings(record, before, after), ...documentWarnings(document)],
  };
  if (record.parentSpanId !== '') span.parentSpanId = record.parentSpanId;
  if (typeof service === 'string') span.service = service;
  if (record.status.message !== '') span.statusMessage = record.status.message;
  return span;
}
