import type { SegmentDocument } from '../core/exporters/segment/index.js';

/** Where a span came from. */
export type SpanSource = 'otlp' | 'xray-udp';

/** A span as the viewer holds it, whichever receiver brought it. Times are epoch milliseconds. */
export interface ViewerSpan {
  traceId: string;
  spanId: string;
  /** Absent for a root span. */
  parentSpanId?: string;
  name: string;
  kind: 'SERVER' | 'CLIENT' | 'INTERNAL' | 'PRODUCER' | 'CONSUMER' | 'UNSPECIFIED';
  /** The service that made the span; for an X-Ray subsegment, filled in from its segment. */
  service?: string;
  startMs: number;
  endMs: number;
  status: 'UNSET' | 'OK' | 'ERROR';
  statusMessage?: string;
  attributes: Record<string, unknown>;
  events: { name: string; timeMs: number; attributes: Record<string, unknown> }[];
  source: SpanSource;
  /** The X-Ray document: the translation's output for an OTLP span, the one received over UDP otherwise. */
  document: SegmentDocument;
  /** Where X-Ray would reject or cut the document. */
  warnings: string[];
}
