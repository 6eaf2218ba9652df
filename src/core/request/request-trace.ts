import { type Context, ROOT_CONTEXT, type Span, SpanStatusCode, TraceFlags, context, diag, propagation } from '@opentelemetry/api';
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { PREFIX, errorMessage, errorType } from '../common/index.js';
import { ensureTracing } from '../setup/start-tracing.js';
import type { TracingState } from '../setup/state.js';
import { XRAY_HEADER_KEY, formatResponseHeader } from '../xray/header.js';
import { withInvocationParent } from '../xray/invocation-context.js';
import { incomingHeadersGetter } from '../xray/propagator.js';
import { normalizeMethod, pathOf, spanNameOf, targetOf } from './http-attributes.js';
import type { MiddlewareSettings } from './middleware-options.js';
import { RequestContext } from './request-context.js';
import { startServerSpan } from './server-span.js';

// Symbol.for: the ESM and CJS builds, and the zero-code hook, see the same request state.
const kRequestTrace = Symbol.for('otel-xray.request-trace');

type Traced = { [kRequestTrace]?: RequestTrace | null };

/**
 * Reads the route template (`/users/:id`) from a framework's object (express's req, koa's ctx,
 * fastify's request) when the span ends. A module-level function, so no closure is made per request.
 */
export type RouteReader<S> = (source: S) => string | undefined;

/** The server span of one request, and what is learnt about the request while it runs. */
export class RequestTrace {
  private routeReader: RouteReader<never> | undefined = undefined;
  private routeSource: unknown = undefined;
  /** The error a handler threw, recorded on the span when the response ends. */
  error: unknown = undefined;
  ended = false;

  constructor(
    readonly span: Span,
    /** The context handlers run in: the span is active there. */
    readonly context: Context,
    readonly method: string,
    readonly res: ServerResponse,
    /** The storage behind `context.active()`, when it is otel-xray's (see `runInRequestContext`). */
    readonly storage: AsyncLocalStorage<Context> | undefined,
  ) {}

  /** Names where the route template is found once the response ends: `read(source)`. */
  readRouteWith<S>(read: RouteReader<S>, source: S): void {
    this.routeReader = read as RouteReader<never>;
    this.routeSource = source;
  }

  /** The route template, or undefined when the framework matched none (or its reader threw). */
  route(): string | undefined {
    try {
      return (this.routeReader as RouteReader<unknown> | undefined)?.(this.routeSource);
    } catch {
      return undefined;
    }
  }
}

/** What the request's headers say about its caller (with otel-xray's propagator, a request without its headers has no caller). */
function extractCaller(state: TracingState, headers: IncomingHttpHeaders): Context {
  if (state.kind === 'own' && state.hasCallerHeaders?.(headers) === false) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, incomingHeadersGetter);
}

function startRequest(req: IncomingMessage, res: ServerResponse, method: string, path: string): RequestTrace | undefined {
  const state = ensureTracing();
  if (state.kind === 'off') return undefined;
  const parent = withInvocationParent(extractCaller(state, req.headers));
  const span = startServerSpan(state, parent, req, method, path);
  return new RequestTrace(span, new RequestContext(parent, span), method, res, state.kind === 'own' ? state.requestStorage : undefined);
}

function onResponseDone(this: ServerResponse & Traced): void {
  const requestTrace = this[kRequestTrace];
  if (requestTrace) endRequestTrace(requestTrace);
}

let startFailureReported = false;

/**
 * Tracing must not break the request: a failure to start (a bad environment value, a broken
 * propagator) leaves requests untraced, and says why once, in one line:
 * `otel-xray: requests are not traced: OTEL_TRACES_EXPORTER must be one of … (got "bogus")`.
 */
export function reportStartFailure(error: unknown): void {
  if (startFailureReported) return;
  startFailureReported = true;
  const message = errorMessage(error);
  diag.error(`${PREFIX}requests are not traced: ${message.startsWith(PREFIX) ? message.slice(PREFIX.length) : message}`);
}

/**
 * Starts the server span for a request (or returns the one already started for it, e.g. by
 * the zero-code hook), sets the response header, and ends the span when the response
 * finishes or the connection closes first. Undefined when the request is ignored or
 * tracing could not start. Never throws.
 *
 * @example
 * const requestTrace = startRequestTrace(req, res, settings);
 * if (requestTrace !== undefined) runInRequestContext(requestTrace, next);
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
    const started = startRequest(req, res, method, path);
    if (started === undefined) return undefined;
    requestTrace = started;
  } catch (error) {
    reportStartFailure(error);
    return undefined;
  }
  if (settings.responseHeader && !res.headersSent) {
    const { traceId, traceFlags } = requestTrace.span.spanContext();
    // Always well-formed: built from the span's own validated ids, never from the request. The
    // name in lower case, as aws-xray-sdk sends it: Node lower-cases a name on every setHeader
    // and again as it writes the head, and HTTP names are case-insensitive.
    res.setHeader(XRAY_HEADER_KEY, formatResponseHeader(traceId, (traceFlags & TraceFlags.SAMPLED) !== 0));
  }
  tracedReq[kRequestTrace] = requestTrace;
  // A span that records nothing (not sampled) has nothing to learn from the response, and its
  // end() does nothing: no listeners for it.
  if (!requestTrace.span.isRecording()) return requestTrace;
  (res as ServerResponse & Traced)[kRequestTrace] = requestTrace;
  // One listener: Node emits 'close' on every response, on the tick after 'finish' or when the
  // connection closes first (`writableFinished` tells which). `on`, not `once`: `once` wraps
  // the listener in a new closure per request.
  res.on('close', onResponseDone);
  return requestTrace;
}

/**
 * Runs `fn` in the request's context: straight in the AsyncLocalStorage when it is otel-xray's,
 * else through the API. What `context.with(requestTrace.context, fn)` does, without its dispatch.
 */
export function runInRequestContext<T>(requestTrace: RequestTrace, fn: () => T): T {
  const { storage } = requestTrace;
  return storage === undefined ? context.with(requestTrace.context, fn) : storage.run(requestTrace.context, fn);
}

/** The trace of a request that `startRequestTrace` has seen, if it is traced. */
export function getRequestTrace(req: IncomingMessage): RequestTrace | undefined {
  return (req as IncomingMessage & Traced)[kRequestTrace] ?? undefined;
}

/** Notes an error a handler threw; the span records it when the response ends. The first one wins. */
export function recordRequestError(requestTrace: RequestTrace, error: unknown): void {
  if (!requestTrace.ended && requestTrace.error === undefined) requestTrace.error = error;
}

/** The body length a sent response declared in `Content-Length`, or undefined (chunked, HEAD, or not a count). */
function declaredLength(method: string, res: ServerResponse): number | undefined {
  if (method === 'HEAD') return undefined;
  const header = res.getHeader('content-length');
  const length = typeof header === 'string' && header.trim() !== '' ? Number(header) : header;
  return typeof length === 'number' && Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/**
 * Status, route and outcome, by the HTTP semantic conventions: a 5xx response, or an error
 * that was not answered with a 4xx, is the server's (ERROR, `error.type`); an error the app
 * answered with a 4xx keeps its exception event for debugging but is the client's (no ERROR);
 * a connection closed before the response finished is `aborted`.
 */
function recordOutcome(requestTrace: RequestTrace): void {
  const { span, res, error } = requestTrace;
  const status = res.headersSent ? res.statusCode : undefined;
  if (status !== undefined) {
    span.setAttribute('http.response.status_code', status);
    const contentLength = declaredLength(requestTrace.method, res);
    if (contentLength !== undefined) span.setAttribute('http.response.body.size', contentLength);
  }
  const route = requestTrace.route();
  if (route !== undefined) {
    span.setAttribute('http.route', route);
    span.updateName(`${spanNameOf(requestTrace.method)} ${route}`);
  }
  const answeredByClientError = status !== undefined && status >= 400 && status < 500;
  if (error !== undefined) {
    try {
      span.recordException(error instanceof Error ? error : errorMessage(error));
    } catch {
      // An error object whose getters throw: its status below still tells the outcome.
    }
    if (answeredByClientError) return;
    span.setAttribute('error.type', errorType(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
  } else if (status !== undefined && status >= 500) {
    span.setAttribute('error.type', String(status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  } else if (!res.writableFinished) {
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
    diag.warn(`otel-xray: could not record the response on the span: ${errorMessage(error)}`);
  }
  span.end();
}
