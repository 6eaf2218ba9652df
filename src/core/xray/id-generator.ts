import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * X-Ray ids (epoch seconds in the first 8 hex digits), with one addition: a server span
 * started for a Root-only header (as ALB and API Gateway send it) must keep the caller's
 * trace id although it has no parent. OTel asks the id generator for a trace id whenever a
 * span has no parent, so the server-span code names the id to continue right before it
 * starts the span, and the next trace id asked for is that one.
 *
 * One slot is enough: `startSpan` is synchronous, so nothing else can ask for an id between
 * `continueTrace(id)` and the span's start, and the caller clears the slot right after (in a
 * `finally`), so a span that did have a parent (and asked for no trace id) leaves nothing behind.
 *
 * @example
 * ids.continueTrace(rootOnly.traceId);
 * try { span = tracer.startSpan('GET', { kind: SpanKind.SERVER }, parent); } finally { ids.continueTrace(undefined); }
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
