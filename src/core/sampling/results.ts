import { SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base';

/** The two answers every sampler here gives: shared objects, so deciding allocates nothing. */
export const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
export const NOT_SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });
