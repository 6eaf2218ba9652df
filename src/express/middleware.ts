import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MiddlewareOptions, compileMiddlewareOptions, getRequestTrace, recordRequestError, runInRequestContext, startRequestTrace } from '../core/index.js';
import { type RoutedRequest, expressRoute } from './route-template.js';

type Next = (error?: unknown) => void;

/** The one call of an express app the middleware makes: adding its error layer. */
interface App {
  use?: (handler: typeof recordUnansweredError) => unknown;
}

/** Apps whose stack already ends with the error layer. */
const appsWithErrorLayer = new WeakSet<object>();

/** The error layer added at the end of an app's stack: sees the errors no handler answered. */
function recordUnansweredError(error: unknown, req: IncomingMessage, _res: ServerResponse, next: Next): void {
  const requestTrace = getRequestTrace(req);
  if (requestTrace !== undefined) recordRequestError(requestTrace, error);
  // Passed on unchanged: express answers it exactly as it would without tracing.
  next(error);
}

/**
 * Adds the error layer to the app that runs the request, once. Done on its first request, when
 * the app's routes and error handlers are in place, so it comes after them all.
 */
function addErrorLayer(app: unknown): void {
  if (typeof app !== 'function' || appsWithErrorLayer.has(app)) return;
  appsWithErrorLayer.add(app);
  try {
    (app as App).use?.(recordUnansweredError);
  } catch {
    // Not an express app after all: errors are then recorded by xrayErrorHandler only.
  }
}

/**
 * Express middleware: one X-Ray server span per request, active in every handler after it.
 * An error that no handler answers is recorded on the span (the middleware adds an error
 * layer at the end of the app's stack on the first request); add {@link xrayErrorHandler}
 * before your own error handlers to record the errors they answer.
 *
 * @param options.responseHeader - set `X-Amzn-Trace-Id` on responses (default `true`)
 * @param options.ignore - paths, RegExps or a predicate for requests not to trace
 * @example
 * app.use(xrayTracing({ ignore: ['/health'] }));
 */
export function xrayTracing(options: MiddlewareOptions = {}) {
  const settings = compileMiddlewareOptions(options);
  return function xrayTracing(req: RoutedRequest, res: ServerResponse, next: Next): void {
    addErrorLayer(req.app);
    const requestTrace = startRequestTrace(req, res, settings);
    if (requestTrace === undefined) return next();
    requestTrace.readRouteWith(expressRoute, req);
    runInRequestContext(requestTrace, next);
  };
}

/**
 * Express error middleware that records a handler's error on the request's span and passes
 * it on unchanged. Add it after your routes, before your own error handlers: those answer
 * errors first, so the middleware's own error layer never sees them.
 *
 * @example
 * app.use(xrayErrorHandler());
 */
export function xrayErrorHandler() {
  return function xrayErrorHandler(error: unknown, req: IncomingMessage, _res: ServerResponse, next: Next): void {
    const requestTrace = getRequestTrace(req);
    if (requestTrace !== undefined) recordRequestError(requestTrace, error);
    next(error);
  };
}
