import { context } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compileMiddlewareOptions } from '../core/middleware-options.js';
import { type RequestTrace, getRequestTrace, recordRequestError, startRequestTrace } from '../core/server-span.js';
import type { MiddlewareOptions } from '../core/types.js';

/** The parts of express's request this adapter reads (express 4 and 5 alike). */
interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
}

type Next = (error?: unknown) => void;

/** express's own onion ends without telling middleware, so the route is read when the response ends. */
function onFinish(this: ServerResponse & { req: ExpressRequest }): void {
  const requestTrace = getRequestTrace(this.req);
  if (requestTrace !== undefined) noteRoute(requestTrace, this.req);
}

function noteRoute(requestTrace: RequestTrace, req: ExpressRequest): void {
  const path = req.route?.path;
  if (typeof path === 'string' && requestTrace.route === undefined) requestTrace.route = (req.baseUrl ?? '') + path;
}

/**
 * Express middleware: one X-Ray server span per request, active in every handler after it.
 * Add it before your routes; add {@link xrayErrorHandler} after them to record thrown errors.
 *
 * @param options.responseHeader - set `X-Amzn-Trace-Id` on responses (default `true`)
 * @param options.ignore - paths, RegExps or a predicate for requests not to trace
 * @example
 * app.use(xrayTracing({ ignore: ['/health'] }));
 */
export function xrayTracing(options: MiddlewareOptions = {}) {
  const settings = compileMiddlewareOptions(options);
  return function xrayTracing(req: IncomingMessage, res: ServerResponse, next: Next): void {
    const requestTrace = startRequestTrace(req, res, settings);
    if (requestTrace === undefined) return next();
    // prependListener: the route must be noted before the core's own 'finish' listener ends the span.
    res.prependOnceListener('finish', onFinish);
    context.with(requestTrace.context, next);
  };
}

/**
 * Express error middleware that records a handler's error on the request's span and passes
 * it on unchanged. Add it after your routes, before your own error handlers.
 *
 * @example
 * app.use(xrayErrorHandler());
 */
export function xrayErrorHandler() {
  return function xrayErrorHandler(error: unknown, req: ExpressRequest, _res: ServerResponse, next: Next): void {
    const requestTrace = getRequestTrace(req);
    if (requestTrace !== undefined) {
      noteRoute(requestTrace, req);
      recordRequestError(requestTrace, error);
    }
    next(error);
  };
}
