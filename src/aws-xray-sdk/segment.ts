import { ROOT_CONTEXT, type Span, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { parseRoot } from '../core/index.js';
import { Entity, spanOf } from './entity.js';
import { getLogger } from './logger.js';
import { tracingState } from './tracing.js';

/**
 * X-Ray names a segment after its service, from this span attribute (as the collector's
 * awsxray exporter does), so the segment keeps the name the app gave it.
 */
export const SEGMENT_NAME_ATTRIBUTE = 'aws.local.service';
const SPAN_ID = /^[0-9a-f]{16}$/;

/** Starts the root span of a segment: continuing `rootId`'s trace, under `parentId` when given. */
function startSegmentSpan(name: string, rootId: string | undefined, parentId: string | undefined): Span {
  const state = tracingState();
  const traceId = typeof rootId === 'string' ? parseRoot(rootId) : undefined;
  const options = { kind: SpanKind.SERVER, attributes: { [SEGMENT_NAME_ATTRIBUTE]: name } };
  if (traceId !== undefined && typeof parentId === 'string' && SPAN_ID.test(parentId)) {
    const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: parentId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    return state.tracer.startSpan(name, options, parent);
  }
  if (traceId === undefined || state.ids === undefined) return state.tracer.startSpan(name, options, ROOT_CONTEXT);
  // A trace id but no parent: the id generator hands the span this trace id.
  state.ids.presetNext(traceId, undefined);
  try {
    return state.tracer.startSpan(name, options, ROOT_CONTEXT);
  } finally {
    state.ids.presetNext(undefined, undefined);
  }
}

/** The top of a trace in one service: a SERVER span, exported as an X-Ray segment. */
export class Segment extends Entity {
  /**
   * @param name - the segment name (X-Ray's service node)
   * @param rootId - the trace to continue (`1-…-…`); a new trace when absent or malformed
   * @param parentId - the calling segment's id, when continuing a caller's trace
   * @example
   * const segment = new Segment('nightly-job'); AWSXRay.getNamespace().run(() => { AWSXRay.setSegment(segment); … segment.close(); });
   */
  constructor(name: string, rootId?: string | null, parentId?: string | null) {
    super();
    if (typeof name !== 'string' || name === '') throw new Error('Segment name must be of type string.');
    Entity.attach(this, startSegmentSpan(name, rootId ?? undefined, parentId ?? undefined), name);
  }

  /** The segment of a request's server span, named `name` in X-Ray; `end` is how it ends. */
  static adopt(span: Span, name: string, end?: () => void): Segment {
    span.setAttribute(SEGMENT_NAME_ATTRIBUTE, name);
    return Segment.wrap(span, name, end);
  }

  /** The segment of a server span started elsewhere (otel-xray's own middleware), keeping the name X-Ray gives it. */
  static wrap(span: Span, name: string, end?: () => void): Segment {
    return Entity.attach(Object.create(Segment.prototype) as Segment, span, name, end);
  }

  /** The user the request was made for, searchable in the X-Ray console. */
  setUser(user: string): void {
    if (typeof user !== 'string') {
      getLogger().error(`Set user: ${String(user)} failed. User IDs must be of type string.`);
      return;
    }
    spanOf(this).setAttribute('enduser.id', user);
  }
}
