import type { Attributes, Context, Link, SpanKind } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';

/**
 * The provider's sampler, which can be handed the next decision in advance. The server span's
 * decision is made before the SDK's tracer runs (see request/server-span.ts), so an unsampled
 * request never reaches the tracer; a sampled one does, and the tracer then gets the decision
 * already made instead of asking the sampler twice (an X-Ray reservoir would count it twice).
 */
export class DecidedAheadSampler implements Sampler {
  private next: SamplingResult | undefined = undefined;

  constructor(readonly inner: Sampler) {}

  /** The answer to the next shouldSample call, or undefined to clear it. */
  decideNext(result: SamplingResult | undefined): void {
    this.next = result;
  }

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const next = this.next;
    if (next === undefined) return this.inner.shouldSample(context, traceId, name, kind, attributes, links);
    this.next = undefined;
    return next;
  }

  toString(): string {
    return this.inner.toString();
  }
}
