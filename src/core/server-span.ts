import { type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, TraceFlags, propagation, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_ONLY_KEY } from './context-keys.js';
import { normalizeMethod, pathOf, requestAttributes } from './http-attributes.js';
import type { MiddlewareSettings } from './middleware-options.js';
import { ensureTracing } from './tracing.js';
import { formatRoot } from './xray-header.js';
import type { XRayHeader } from './xray-header.js';

const RESPONSE_HEADER = 'X-Amzn-Trace-Id';
// Symbol.for: the ESM and CJS builds, and the zero-code hook, see the same request state.
const kRequestTrace = Symbol.for('otel-xray.request-trace');

type Traced = { [kRequestTrace]?: RequestTrace | null };

/** The server span of one request, and what is learnt about the request while it runs. */
export class RequestTrace {
  /** Template of the matched route, e.g. `/users/:id`, once the framework knows it. */
  route: string | undefined = undefined;
  /** The error a handler threw, recorded on the span when the response ends. */
  error: unknown = undefined;
  ended = false;

  constructor(
    readonly span: Span,
    /** The context handlers run in: the span is active there. */
    readonly context: Context,
    readonly method: string,
    readonly res: ServerResponse,
  ) {}
}

function startSpan(req: IncomingMessage, method: string, path: string): [Span, Context] {
  const state = ensureTracing();
  const parent = propagation.extract(ROOT_CONTEXT, req.headers);
  const rootOnly = parent.getValue(ROOT_ONLY_KEY) as XRayHeader | undefined;
  if (rootOnly !== undefined) state.ids?.continueTrace(rootOnly.traceId);
  const span = state.tracer.startSpan(
    method === '_OTHER' ? 'HTTP' : method,
    { kind: SpanKind.SERVER, attributes: requestAttributes(req, method, path) },
    parent,
  );
  if (rootOnly !== undefined) state.ids?.continueTrace(undefined);
  return [span, trace.setSpan(parent, span)];
}

function onResponseDone(this: ServerResponse & Traced): void {
  const requestTrace = this[kRequestTrace];
  if (requestTrace) endRequestTrace(requestTrace);
}

/**
 * Starts the server span for a request (or returns the one already started for it, e.g. by
 * the zero-code hook), sets the response header, and ends the span when the response
 * finishes or the connection closes first. Undefined when the request is ignored.
 */
export function startRequestTrace(req: IncomingMessage, res: ServerResponse, settings: MiddlewareSettings): RequestTrace | undefined {
  const tracedReq = req as IncomingMessage & Traced;
  const existing = tracedReq[kRequestTrace];
  if (existing !== undefined) return existing ?? undefined;
  const path = pathOf(req.url);
  if (settings.ignore?.(req, path)) {
    tracedReq[kRequestTrace] = null;
    return undefined;
  }
  const method = normalizeMethod(req.method);
  const [span, context] = startSpan(req, method, path);
  const requestTrace = new RequestTrace(span, context, method, res);
  tracedReq[kRequestTrace] = requestTrace;
  (res as ServerResponse & Traced)[kRequestTrace] = requestTrace;
  if (settings.responseHeader && !res.headersSent) {
    const { traceId, traceFlags } = span.spanContext();
    res.setHeader(RESPONSE_HEADER, `Root=${formatRoot(traceId)};Sampled=${traceFlags & TraceFlags.SAMPLED}`);
  }
  res.once('finish', onResponseDone);
  res.once('close', onResponseDone);
  return requestTrace;
}

/** The trace of a request that `startRequestTrace` has seen, if it is traced. */
export function getRequestTrace(req: IncomingMessage): RequestTrace | undefined {
  return (req as IncomingMessage & Traced)[kRequestTrace] ?? undefined;
}

/** A 4xx error (`status`/`statusCode` below 500, as http-errors makes them) is the client's, not the server's. */
function isClientError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const status = (error as { status?: unknown; statusCode?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status < 500;
}

/** Notes an error a handler threw; the span records it when the response ends. */
export function recordRequestError(requestTrace: RequestTrace, error: unknown): void {
  if (requestTrace.ended || requestTrace.error !== undefined || isClientError(error)) return;
  requestTrace.error = error;
}

function errorType(error: unknown): string {
  if (error instanceof Error) return error.constructor.name === 'Error' ? error.name : error.constructor.name;
  return typeof error;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Ends the span once: status code, route, error status; idempotent. */
export function endRequestTrace(requestTrace: RequestTrace): void {
  if (requestTrace.ended) return;
  requestTrace.ended = true;
  const { span, res, route, error } = requestTrace;
  if (span.isRecording()) {
    const status = res.statusCode;
    if (res.headersSent) span.setAttribute('http.response.status_code', status);
    if (route !== undefined) {
      span.setAttribute('http.route', route);
      span.updateName(`${requestTrace.method} ${route}`);
    }
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : errorMessage(error));
      span.setAttribute('error.type', errorType(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    } else if (res.headersSent && status >= 500) {
      span.setAttribute('error.type', String(status));
      span.setStatus({ code: SpanStatusCode.ERROR });
    } else if (!res.writableFinished) {
      // The connection closed before the response was complete.
      span.setAttribute('error.type', 'aborted');
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the response finished' });
    }
  }
  span.end();
}
