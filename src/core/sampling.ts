import { type Attributes, type Context, type Link, type SpanKind, TraceFlags, isSpanContextValid, trace } from '@opentelemetry/api';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  type Sampler,
  SamplingDecision,
  type SamplingResult,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { DEFERRED_PARENT_KEY, ROOT_ONLY_KEY } from './context-keys.js';
import type { ResolvedOptions } from './options.js';
import type { SamplerName } from './types.js';
import type { XRayHeader } from './xray-header.js';

export const SAMPLER_NAMES: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'parentbased_always_on',
  'parentbased_always_off',
  'traceidratio',
  'parentbased_traceidratio',
  'xray',
];

const SAMPLED: SamplingResult = { decision: SamplingDecision.RECORD_AND_SAMPLED };
const NOT_SAMPLED: SamplingResult = { decision: SamplingDecision.NOT_RECORD };

/**
 * Parent-based sampling that knows X-Ray's deferred decisions: a caller's `Sampled=1|0`
 * decides, while `Sampled=?`, a missing `Sampled`, or a Root-only header ask `root`,
 * as X-Ray expects of the first service that sees a deferred request.
 */
export class XRayParentBasedSampler implements Sampler {
  constructor(private readonly root: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(context);
    if (parent !== undefined && isSpanContextValid(parent)) {
      const deferred = parent.isRemote && context.getValue(DEFERRED_PARENT_KEY) === parent.spanId;
      if (!deferred) return (parent.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? SAMPLED : NOT_SAMPLED;
    } else {
      const rootOnly = context.getValue(ROOT_ONLY_KEY) as XRayHeader | undefined;
      if (rootOnly?.sampled !== undefined && rootOnly.traceId === traceId) return rootOnly.sampled ? SAMPLED : NOT_SAMPLED;
    }
    return this.root.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `XRayParentBased{root=${this.root.toString()}}`;
  }
}

/** The sampler for a name from the `sampler` option or `OTEL_TRACES_SAMPLER`. */
export function createNamedSampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new XRayParentBasedSampler(new AlwaysOnSampler());
    case 'parentbased_always_off':
      return new XRayParentBasedSampler(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return new XRayParentBasedSampler(new TraceIdRatioBasedSampler(ratio));
    case 'xray':
      throw new Error("otel-xray: sampler 'xray' is not available yet");
  }
}

/** The sampler the resolved `sampler` option names. */
export function createSampler(options: ResolvedOptions): Sampler {
  const { sampler } = options;
  if (typeof sampler === 'string') return createNamedSampler(sampler, options.samplerArg);
  if ('shouldSample' in sampler) return sampler;
  throw new Error('otel-xray: sampler { rules } is not available yet');
}
