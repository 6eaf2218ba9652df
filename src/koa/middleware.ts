import { context } from '@opentelemetry/api';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compileMiddlewareOptions } from '../core/middleware-options.js';
import { recordRequestError, startRequestTrace } from '../core/server-span.js';
import type { MiddlewareOptions } from '../core/types.js';

/** The parts of koa's context this adapter reads (koa 2 and 3 alike). */
interface KoaContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The matched route's template, set by @koa/router. */
  _matchedRoute?: unknown;
}

/**
 * Koa middleware: one X-Ray server span per request, active in every middleware after it.
 * Add it first. Route templates come from @koa/router when it matches.
 *
 * @param options.responseHeader - set `X-Amzn-Trace-Id` on responses (default `true`)
 * @param options.ignore - paths, RegExps or a predicate for requests not to trace
 * @example
 * app.use(xrayTracing());
 */
export function xrayTracing(options: MiddlewareOptions = {}) {
  const settings = compileMiddlewareOptions(options);
  return async function xrayTracing(ctx: KoaContext, next: () => Promise<unknown>): Promise<void> {
    const requestTrace = startRequestTrace(ctx.req, ctx.res, settings);
    if (requestTrace === undefined) {
      await next();
      return;
    }
    try {
      await context.with(requestTrace.context, next);
    } catch (error) {
      recordRequestError(requestTrace, error);
      throw error;
    } finally {
      if (typeof ctx._matchedRoute === 'string') requestTrace.route = ctx._matchedRoute;
    }
  };
}
