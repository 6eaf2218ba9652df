import { type Attributes, type Context, ROOT_CONTEXT, type Span, type SpanContext, SpanKind, TraceFlags, isSpanContextValid, trace } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { SamplingDecision, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';
import type { OwnState, TracingState } from '../setup/state.js';
import { ROOT_ONLY_KEY } from '../xray/context-keys.js';
import type { XRayHeader } from '../xray/header.js';
import { readsAttributes } from '../sampling/attributes-read.js';
import { requestAttributes, spanNameOf } from './http-attributes.js';

const SERVER_SPAN = Object.freeze({ kind: SpanKind.SERVER });
/** What a sampler that reads no attributes is handed (see sampling/attributes-read.ts). */
const NO_ATTRIBUTES: Attributes = Object.freeze({});

/** The valid span context of the parent in `context`, if any. */
function validParentOf(context: Context): SpanContext | undefined {
  const spanContext = trace.getSpanContext(context);
  return spanContext !== undefined && isSpanContextValid(spanContext) ? spanContext : undefined;
}

/**
 * Starts a request's server span under `parent`, named after `method` (normalized), with the
 * request's HTTP attributes.
 *
 * With otel-xray's own provider the ids and the sampling decision are made here, before the
 * SDK's tracer, the way the tracer makes them: an unsampled request then gets its
 * non-recording span straight from the API, without the tracer's copy and check of the
 * attributes (on every request, and most requests are unsampled); a sampled one is started by
 * the tracer, handed the ids and the decision already made.
 *
 * A Root-only X-Ray header (ALB, API Gateway: a trace id but no parent span) is continued: the
 * span keeps its trace id. OTel cannot say "this trace id, no parent", so the propagator leaves
 * the header under ROOT_ONLY_KEY and the id generator hands the tracer that trace id. With an
 * app's own provider (no X-Ray id generator of ours) the span starts a new trace.
 */
export function startServerSpan(state: TracingState, parent: Context, req: IncomingMessage, method: string, path: string): Span {
  const { ids, tracer } = state;
  const name = spanNameOf(method);
  if (ids === undefined) return tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: requestAttributes(req, method, path) }, parent);
  // Most requests have no caller: their parent is the root context, with nothing to look up.
  const fromCaller = parent !== ROOT_CONTEXT;
  const validParent = fromCaller ? validParentOf(parent) : undefined;
  const rootOnly = fromCaller && validParent === undefined ? (parent.getValue(ROOT_ONLY_KEY) as XRayHeader | undefined) : undefined;
  if (state.kind !== 'own' || (fromCaller && isTracingSuppressed(parent))) {
    const options = { kind: SpanKind.SERVER, attributes: requestAttributes(req, method, path) };
    // The tracer decides (an app's NodeSDK may sample with a sampler of its own); only a Root-only trace id is named.
    if (rootOnly === undefined) return tracer.startSpan(name, options, parent);
    ids.presetNext(rootOnly.traceId, undefined);
    try {
      return tracer.startSpan(name, options, parent);
    } finally {
      ids.presetNext(undefined, undefined);
    }
  }
  const traceId = validParent?.traceId ?? rootOnly?.traceId ?? ids.generateTraceId();
  const spanId = ids.generateSpanId();
  const { inner } = state.decisions;
  const attributes = readsAttributes(inner, parent, traceId) ? requestAttributes(req, method, path) : undefined;
  const result = inner.shouldSample(parent, traceId, name, SpanKind.SERVER, attributes ?? NO_ATTRIBUTES, []);
  if (result.decision === SamplingDecision.NOT_RECORD) {
    // What the tracer answers for NOT_RECORD: the ids and trace state in a non-recording span.
    return trace.wrapSpanContext({ traceId, spanId, traceFlags: TraceFlags.NONE, traceState: result.traceState ?? validParent?.traceState });
  }
  // Recorded: started as the tracer would start it, with the ids and the decision made above.
  const traceFlags = result.decision === SamplingDecision.RECORD_AND_SAMPLED ? TraceFlags.SAMPLED : TraceFlags.NONE;
  const traceState = result.traceState ?? validParent?.traceState;
  const initial = attributes ?? requestAttributes(req, method, path);
  // The sampler's own attributes win, as with the tracer.
  if (result.attributes !== undefined) Object.assign(initial, result.attributes);
  const { spans } = state;
  if (spans.ready) {
    return spans.start(name, SpanKind.SERVER, parent, { traceId, spanId, traceFlags, traceState }, validParent, initial, result.attributes === undefined);
  }
  const span = startInTracer(state, name, parent, validParent, traceId, spanId, result);
  spans.learnFrom(span);
  span.setAttributes(initial);
  return span;
}

/** The tracer starts the span, handed the ids and the decision already made. */
function startInTracer(state: OwnState, name: string, parent: Context, validParent: SpanContext | undefined, traceId: string, spanId: string, result: SamplingResult): Span {
  const { ids, decisions, tracer } = state;
  // The arguments go to the tracer as they are, with no callback: no closure per request.
  ids.presetNext(validParent === undefined ? traceId : undefined, spanId);
  decisions.decideNext(result);
  try {
    // Without the attributes: the tracer would copy and check them twice, for a sampler that is
    // not asked. The span takes them right after, as its constructor would have.
    return tracer.startSpan(name, SERVER_SPAN, parent);
  } finally {
    ids.presetNext(undefined, undefined);
    decisions.decideNext(undefined);
  }
}
