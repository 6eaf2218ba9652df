import type { Context } from '@opentelemetry/api';
import { AlwaysOffSampler, AlwaysOnSampler, type Sampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { XRayParentBasedSampler } from './parent-based.js';

/**
 * Whether `sampler` reads the span's attributes to decide for this parent and trace id: OTel's
 * always-on, always-off and ratio samplers never do (a subclass of them is taken to), X-Ray's
 * parent-based sampler does not when the caller decided, and any other sampler is taken to.
 * A server span's attributes are then built only for a sampler that reads them or a span that
 * records: an unsampled request whose caller decided never builds them.
 */
export function readsAttributes(sampler: Sampler, context: Context, traceId: string): boolean {
  if (sampler instanceof XRayParentBasedSampler) {
    return sampler.parentDecision(context, traceId) === undefined && readsAttributes(sampler.root, context, traceId);
  }
  const type = sampler.constructor;
  return type !== AlwaysOnSampler && type !== AlwaysOffSampler && type !== TraceIdRatioBasedSampler;
}
