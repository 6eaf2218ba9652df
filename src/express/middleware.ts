import { context } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MiddlewareOptions, compileMiddlewareOptions, getRequestTrace, pathOf, recordRequestError, startRequestTrace, targetOf } from '../core/index.js';

/** The parts of express's request this adapter reads (express 4 and 5 alike). */
interface ExpressRequest extends IncomingMessage {
  baseUrl?: string;
  originalUrl?: string;
  route?: { path?: unknown };
}

type Next = (error?: unknown) => void;

/** Route templates whose every `/` segment matches exactly one path segment (no `*`, `?`, `(`, `{`, `+`). */
const ONE_SEGMENT_PER_PART = /^[^*?({+]*$/;

/**
 * The request path without the part the route template matched: the router's mount path.
 * express restores `req.baseUrl` when an error leaves a nested router, so by the time the
 * response ends it no longer names the router the route belongs to; the original URL does.
 * Undefined when the template's segment count is not fixed.
 */
function mountPathOf(req: ExpressRequest, template: string): string | undefined {
  if (template.charCodeAt(0) !== 47 /* "/" */ || !ONE_SEGMENT_PER_PART.test(template)) return undefined;
  let path = pathOf(targetOf(req));
  if (path.endsWith('/')) path = path.slice(0, -1);
  let end = path.length;
  for (let i = 0; i < template.length; i++) {
    // Each segment of the template ("/users", "/:id") consumed one segment of the path.
    if (template[i] === '/' && i + 1 < template.length && template[i + 1] !== '/') {
      end = path.lastIndexOf('/', end - 1);
      if (end < 0) return undefined;
    }
  }
  return path.slice(0, end);
}

/** The full route template, mount path included; read when the span ends (a plain function, no per-request closure). */
export function expressRoute(req: ExpressRequest): string | undefined {
  const template = req.route?.path;
  if (typeof template !== 'string') return undefined;
  return (mountPathOf(req, template) ?? req.baseUrl ?? '') + template;
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
    requestTrace.readRouteWith(expressRoute, req);
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
    if (requestTrace !== undefined) recordRequestError(requestTrace, error);
    next(error);
  };
}
