import type { Context } from '@opentelemetry/api';
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { ROOT_ONLY_KEY } from './context-keys.js';
import type { XRayHeader } from './header.js';

/**
 * X-Ray ids (epoch seconds in the first 8 hex digits), with one addition: the next trace id
 * can be named in advance, so that a span with no parent still continues a known trace.
 */
export class XRayIdGenerator implements IdGenerator {
  private readonly ids = new AWSXRayIdGenerator();
  private next: string | undefined;

  /** The next root span gets this trace id (undefined clears it). */
  continueTrace(traceId: string | undefined): void {
    this.next = traceId;
  }

  generateTraceId(): string {
    const traceId = this.next;
    if (traceId === undefined) return this.ids.generateTraceId();
    this.next = undefined;
    return traceId;
  }

  generateSpanId(): string {
    return this.ids.generateSpanId();
  }
}

/**
 * Runs `start` (a synchronous `tracer.startSpan`) so that, when `parent` carries a Root-only
 * X-Ray header (ALB, API Gateway: a trace id but no parent span), the span keeps that trace id.
 *
 * OTel cannot say "this trace id, no parent": a span context needs a span id. So the X-Ray
 * propagator leaves the header under ROOT_ONLY_KEY, and here the id generator is told the trace
 * id right before the span starts; the SDK asks it for one because the span has no parent. One
 * slot is enough: `startSpan` is synchronous, and the slot is cleared right after, so a span
 * that did have a parent (and asked for no trace id) leaves nothing behind. Without our id
 * generator (the app's own provider) the span starts a new trace.
 *
 * @example
 * const span = startSpanContinuingRoot(ids, parent, () => tracer.startSpan('GET', { kind: SpanKind.SERVER }, parent));
 */
export function startSpanContinuingRoot<T>(ids: XRayIdGenerator | undefined, parent: Context, start: () => T): T {
  const rootOnly = parent.getValue(ROOT_ONLY_KEY) as XRayHeader | undefined;
  if (rootOnly === undefined || ids === undefined) return start();
  ids.continueTrace(rootOnly.traceId);
  try {
    return start();
  } finally {
    ids.continueTrace(undefined);
  }
}
