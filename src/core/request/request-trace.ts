import { type Context, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, TraceFlags, diag, propagation, trace } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ROOT_ONLY_KEY } from '../xray/context-keys.js';
import { normalizeMethod, pathOf, requestAttributes, targetOf } from './http-attributes.js';
import { withInvocationParent } from '../xray/invocation-context.js';
import type { MiddlewareSettings } from './middleware-options.js';
import { ensureTracing } from '../setup/start-tracing.js';
import { formatRoot } from '../xray/header.js';
import type { XRayHeader } from '../xray/header.js';

const RESPONSE_HEADER = 'X-Amzn-Trace-Id';
// Symbol.for: the ESM and CJS builds, and the zero-code hook, see the same request state.
const kRequestTrace = Symbol.for('otel-xray.request-trace');

type Traced = { [kRequestTrace]?: RequestTrace | null };

/** Reads the route template from the framework's request or context object once the response ends. */
export type RouteReader = (source: never) => string | undefined;

/** The server span of one request, and what is learnt about the request while it runs. */
export class RequestTrace {
  /** Template of the matched route, e.g. `/users/:id`, once the framework knows it. */
  route: string | undefined = undefined;
  /**
   * Asked for the route, with `routeSource`, when the span ends and `route` is still unknown:
   * a module-level function, so no closure is made per request.
   */
  routeOf: RouteReader | undefined = undefined;
  /** What `routeOf` reads: the request, unless the adapter names its own object (koa's context). */
  routeSource: unknown;
  /** The error a handler threw, recorded on the span when the response ends. */
  error: unknown = undefined;
  ended = false;

  constructor(
    readonly span: Span,
    /** The context handlers run in: the span is active there. */
    readonly context: Context,
    readonly method: string,
    req: IncomingMessage,
    readonly res: ServerResponse,
  ) {
    this.routeSource = req;
  }
}

function startSpan(req: IncomingMessage, method: string, path: string): [Span, Context] | undefined {
  const state = ensureTracing();
  if (state.off === true) return undefined;
  const parent = withInvocationParent(propagation.extract(ROOT_CONTEXT, req.headers));
  const rootOnly = parent.getValue(ROOT_ONLY_KEY) as XRayHeader | undefined;
  if (rootOnly !== undefined) state.ids?.continueTrace(rootOnly.traceId);
  try {
    const span = state.tracer.startSpan(
      method === '_OTHER' ? 'HTTP' : method,
      { kind: SpanKind.SERVER, attributes: requestAttributes(req, method, path) },
      parent,
    );
    return [span, trace.setSpan(parent, span)];
  } finally {
    if (rootOnly !== undefined) state.ids?.continueTrace(undefined);
  }
}

function onResponseDone(this: ServerResponse & Traced): void {
  const requestTrace = this[kRequestTrace];
  if (requestTrace) endRequestTrace(requestTrace);
}

let startFailureReported = false;

/** Tracing must not break the request: a failure to start (bad environment, a broken propagator) leaves it untraced. */
function reportStartFailure(error: unknown): void {
  if (startFailureReported) return;
  startFailureReported = true;
  diag.error(`otel-xray: requests are not traced: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Starts the server span for a request (or returns the one already started for it, e.g. by
 * the zero-code hook), sets the response header, and ends the span when the response
 * finishes or the connection closes first. Undefined when the request is ignored or
 * tracing could not start. Never throws.
 *
 * @example
 * const requestTrace = startRequestTrace(req, res, settings);
 * if (requestTrace !== undefined) context.with(requestTrace.context, next);
 */
export function startRequestTrace(req: IncomingMessage, res: ServerResponse, settings: MiddlewareSettings): RequestTrace | undefined {
  const tracedReq = req as IncomingMessage & Traced;
  const existing = tracedReq[kRequestTrace];
  if (existing !== undefined) return existing ?? undefined;
  tracedReq[kRequestTrace] = null;
  let requestTrace: RequestTrace;
  try {
    const path = pathOf(targetOf(req));
    if (settings.ignore?.(req, path)) return undefined;
    const method = normalizeMethod(req.method);
    const started = startSpan(req, method, path);
    if (started === undefined) return undefined;
    const [span, context] = started;
    requestTrace = new RequestTrace(span, context, method, req, res);
  } catch (error) {
    reportStartFailure(error);
    return undefined;
  }
  if (settings.responseHeader && !res.headersSent) {
    const { traceId, traceFlags } = requestTrace.span.spanContext();
    // Always well-formed: built from the span's own validated ids, never from the request.
    res.setHeader(RESPONSE_HEADER, `Root=${formatRoot(traceId)};Sampled=${traceFlags & TraceFlags.SAMPLED}`);
  }
  tracedReq[kRequestTrace] = requestTrace;
  (res as ServerResponse & Traced)[kRequestTrace] = requestTrace;
  // `on`, not `once`: `once` wraps the listener in a new closure per request; endRequestTrace is idempotent.
  res.on('finish', onResponseDone);
  res.on('close', onResponseDone);
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

/** Notes an error a handler threw; the span records it when the response ends. The first one wins. */
export function recordRequestError(requestTrace: RequestTrace, error: unknown): void {
  if (requestTrace.ended || requestTrace.error !== undefined || error === undefined) return;
  try {
    if (!isClientError(error)) requestTrace.error = error;
  } catch {
    // An error object with a throwing `status` getter: still the server's error.
    requestTrace.error = error;
  }
}

function errorType(error: unknown): string {
  if (error instanceof Error) {
    const name = error.constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Error' ? name : String(error.name);
  }
  return typeof error;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? String(error.message) : String(error);
}

function routeOf(requestTrace: RequestTrace): string | undefined {
  if (requestTrace.route !== undefined || requestTrace.routeOf === undefined) return requestTrace.route;
  try {
    return (requestTrace.routeOf as (source: unknown) => string | undefined)(requestTrace.routeSource);
  } catch {
    return undefined;
  }
}

function recordOutcome(requestTrace: RequestTrace): void {
  const { span, res, error } = requestTrace;
  const status = res.statusCode;
  if (res.headersSent) span.setAttribute('http.response.status_code', status);
  const route = routeOf(requestTrace);
  if (route !== undefined) {
    span.setAttribute('http.route', route);
    span.updateName(`${requestTrace.method === '_OTHER' ? 'HTTP' : requestTrace.method} ${route}`);
  }
  if (error !== undefined) {
    let message: string;
    try {
      span.recordException(error instanceof Error ? error : String(error));
      message = errorMessage(error);
    } catch {
      message = 'unreadable error';
    }
    // An error the app answered with a 4xx (a validation error, say) is the client's: the
    // exception stays on the span, the status does not turn to ERROR (HTTP semantic conventions).
    if (res.headersSent && status >= 400 && status < 500) return;
    span.setAttribute('error.type', errorType(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  } else if (res.headersSent && status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  } else if (!res.writableFinished) {
    // The connection closed before the response was complete.
    span.setAttribute('error.type', 'aborted');
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the response finished' });
  }
}

/** Ends the span once: status code, route, error status. Idempotent, never throws. */
export function endRequestTrace(requestTrace: RequestTrace): void {
  if (requestTrace.ended) return;
  requestTrace.ended = true;
  const { span } = requestTrace;
  try {
    if (span.isRecording()) recordOutcome(requestTrace);
  } catch (error) {
    diag.warn(`otel-xray: could not record the response on the span: ${String(error)}`);
  }
  span.end();
}
