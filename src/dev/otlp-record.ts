/** One OTLP span as the receiver decodes it from either encoding, before it is translated. */
export interface OtlpSpanRecord {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  name: string;
  /** The OTLP enum: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (0 unspecified). */
  kind: number;
  startNanos: bigint;
  endNanos: bigint;
  attributes: Record<string, unknown>;
  events: { name: string; timeNanos: bigint; attributes: Record<string, unknown> }[];
  links: { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  /** The OTLP enum: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  resource: Record<string, unknown>;
  scope: { name: string; version: string };
}

/** A payload the receiver refuses: answered with a 400 and counted. */
export class BadPayload extends Error {}

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** Checks the ids (the only fields a trace cannot be assembled without) and returns the span. */
export function checkedSpan(span: OtlpSpanRecord): OtlpSpanRecord {
  if (!TRACE_ID.test(span.traceId) || /^0+$/.test(span.traceId)) throw new BadPayload(`bad trace id "${span.traceId}"`);
  if (!SPAN_ID.test(span.spanId) || /^0+$/.test(span.spanId)) throw new BadPayload(`bad span id "${span.spanId}"`);
  if (span.parentSpanId !== '' && !SPAN_ID.test(span.parentSpanId)) throw new BadPayload(`bad parent span id "${span.parentSpanId}"`);
  if (span.endNanos < span.startNanos) throw new BadPayload(`span "${span.name}" ends before it starts`);
  return span;
}
