import { type Attributes, type Context, type Link, type SpanKind, TraceFlags, isSpanContextValid, trace } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { DEFERRED_PARENT_KEY, ROOT_ONLY_KEY } from '../xray/context-keys.js';
import type { XRayHeader } from '../xray/header.js';
import { NOT_SAMPLED, SAMPLED } from './results.js';

/**
 * Parent-based sampling that knows X-Ray's deferred decisions: a caller's `Sampled=1|0`
 * decides, while `Sampled=?`, a missing `Sampled`, or a Root-only header ask `root`,
 * as X-Ray expects of the first service that sees a deferred request.
 */
export class XRayParentBasedSampler implements Sampler {
  constructor(readonly root: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    return this.parentDecision(context, traceId) ?? this.root.shouldSample(context, traceId, name, kind, attributes, links);
  }

  /** The decision the caller made (`Sampled=1|0`), or undefined when `root` decides. */
  parentDecision(context: Context, traceId: string): SamplingResult | undefined {
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && isSpanContextValid(parent)) {
      const deferred = parent.isRemote && context.getValue(DEFERRED_PARENT_KEY) === parent.spanId;
      if (!deferred) return (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? SAMPLED : NOT_SAMPLED;
    } else {
      const rootOnly = context.getValue(ROOT_ONLY_KEY) as XRayHeader | undefined;
      if (rootOnly?.sampled !== undefined && rootOnly.traceId === traceId) return rootOnly.sampled ? SAMPLED : NOT_SAMPLED;
    }
    return undefined;
  }

  toString(): string {
    return `XRayParentBased{root=${this.root.toString()}}`;
  }
}
