import { type HrTime, type SpanContext, SpanKind, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { OtlpSpanRecord } from './otlp-record.js';

const BILLION = 1_000_000_000n;

export const hrTime = (nanos: bigint): HrTime => [Number(nanos / BILLION), Number(nanos % BILLION)];

const context = (traceId: string, spanId: string): SpanContext => ({ traceId, spanId, traceFlags: TraceFlags.SAMPLED });

/** OTLP kinds are the SDK's plus one (OTLP reserves 0 for "unspecified"). */
const spanKind = (kind: number): SpanKind => (kind >= 1 && kind <= 5 ? ((kind - 1) as SpanKind) : SpanKind.INTERNAL);

/**
 * A received span as the SDK's `ReadableSpan`, the input of the segment translation, so a
 * span that crossed the wire is translated exactly as the exporter translates it in-process.
 */
export function toReadableSpan(span: OtlpSpanRecord): ReadableSpan {
  const startTime = hrTime(span.startNanos);
  const endTime = hrTime(span.endNanos);
  return {
    name: span.name,
    kind: spanKind(span.kind),
    spanContext: () => context(span.traceId, span.spanId),
    parentSpanContext: span.parentSpanId === '' ? undefined : context(span.traceId, span.parentSpanId),
    startTime,
    endTime,
    duration: hrTime(span.endNanos - span.startNanos),
    status: { code: span.status.code, message: span.status.message || undefined },
    attributes: span.attributes as ReadableSpan['attributes'],
    links: span.links.map((link) => ({ context: context(link.traceId, link.spanId), attributes: link.attributes as ReadableSpan['attributes'] })),
    events: span.events.map((event) => ({ name: event.name, time: hrTime(event.timeNanos), attributes: event.attributes as ReadableSpan['attributes'] })),
    ended: true,
    resource: resourceFromAttributes(span.resource as ReadableSpan['attributes']),
    instrumentationScope: { name: span.scope.name, version: span.scope.version || undefined },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
