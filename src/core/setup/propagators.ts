import type { TextMapPropagator } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import type { PropagatorName } from '../types.js';
import { XRayPropagator } from '../xray/propagator.js';

function create(name: PropagatorName): TextMapPropagator | undefined {
  if (name === 'xray') return new XRayPropagator();
  if (name === 'tracecontext') return new W3CTraceContextPropagator();
  if (name === 'baggage') return new W3CBaggagePropagator();
  return undefined;
}

/**
 * One propagator for the listed formats. On extract the first listed format that finds a
 * context wins: OTel's CompositePropagator lets the last one win, so it gets the list reversed.
 * On inject every format writes its header.
 */
export function createPropagator(names: readonly PropagatorName[]): TextMapPropagator {
  const propagators = names.map(create).filter((p): p is TextMapPropagator => p !== undefined);
  return new CompositePropagator({ propagators: propagators.reverse() });
}
