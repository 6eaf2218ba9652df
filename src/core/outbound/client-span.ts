import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapSetter,
  createContextKey,
  isSpanContextValid,
  propagation,
  trace,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { errorMessage, errorType } from '../common/index.js';
import { normalizeMethod, spanNameOf } from '../request/http-attributes.js';
import { TRACER_NAME, getState } from '../setup/state.js';
import { fullUrl } from './url.js';

/**
 * Set on the context an AWS SDK call made through `traceAwsClient` runs in. Its span already
 * stands for the HTTP request, and its trace headers went in before the request was signed,
 * so the HTTP hooks leave such requests alone.
 */
export const AWS_SDK_CALL_KEY = createContextKey('otel-xray aws-sdk call');

/** What a hook does with a call: nothing, only carry the active span's headers, or trace it with its own span. */
export const SKIP = 0;
export const INJECT_ONLY = 1;
export const TRACE = 2;
type OutboundMode = typeof SKIP | typeof INJECT_ONLY | typeof TRACE;

/**
 * Decides for a call starting in `active`:
 * - suppressed tracing (exporters' own requests), or an AWS SDK call already traced: nothing;
 * - no trace at all: nothing, unless root calls are traced;
 * - the active span is a CLIENT span (the app's own manual client span): its headers go out,
 *   naming it as the parent, but no second span describes the same request;
 * - otherwise: a CLIENT child span.
 */
export function outboundMode(active: Context): OutboundMode {
  if (isTracingSuppressed(active) || active.getValue(AWS_SDK_CALL_KEY) !== undefined) return SKIP;
  const parent = trace.getSpan(active);
  if (parent === undefined || !isSpanContextValid(parent.spanContext())) return getState()?.options?.outboundRootSpans === true ? TRACE : SKIP;
  // `kind` is not on the API's Span interface, but every SDK span (ours or the app's own provider) has it.
  return (parent as Span & { kind?: SpanKind }).kind === SpanKind.CLIENT ? INJECT_ONLY : TRACE;
}

/**
 * Starts the CLIENT span of an outbound HTTP call in `active` and writes the trace headers
 * naming it into `carrier` (when given: a request whose headers are already out gets none).
 * `origin` is `scheme://host[:port]`, `target` the path and query; `url.full` is only built
 * when the span records.
 */
export function startClientSpan<C>(
  active: Context,
  method: string | undefined,
  origin: string,
  target: string,
  address: string | undefined,
  port: number | undefined,
  carrier: C | undefined,
  setter: TextMapSetter<C>,
): Span | undefined {
  // No state yet: the app's own provider (NodeSDK) traces, and no request has reached the middleware.
  const tracer = getState()?.tracer ?? trace.getTracer(TRACER_NAME);
  const normalized = normalizeMethod(method);
  const attributes: Attributes = { 'http.request.method': normalized };
  if (normalized === '_OTHER' && method !== undefined) attributes['http.request.method_original'] = method;
  if (address !== undefined) attributes['server.address'] = address;
  if (port !== undefined) attributes['server.port'] = port;
  const span = tracer.startSpan(spanNameOf(normalized), { kind: SpanKind.CLIENT, attributes }, active);
  if (span.isRecording()) span.setAttribute('url.full', fullUrl(origin, target, getState()?.options?.redactQueryKeys));
  if (carrier !== undefined) propagation.inject(trace.setSpan(active, span), carrier, setter);
  return span;
}

/** Records the response status (5xx sets ERROR) and ends the span. */
export function endWithStatus(span: Span, statusCode: number | undefined): void {
  if (statusCode !== undefined) span.setAttribute('http.response.status_code', statusCode);
  if (statusCode !== undefined && statusCode >= 500) {
    span.setAttribute('error.type', String(statusCode));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}

/** Records a failed call (refused, reset, timed out, aborted) and ends the span. */
export function endWithError(span: Span, error: unknown, statusCode?: number): void {
  if (statusCode !== undefined) span.setAttribute('http.response.status_code', statusCode);
  span.setAttribute('error.type', errorType(error));
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
  span.end();
}

/** Ends the span of a call the app cancelled before any response came. */
export function endAborted(span: Span): void {
  span.setAttribute('error.type', 'aborted');
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'request aborted before a response' });
  span.end();
}
