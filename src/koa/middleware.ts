import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MiddlewareOptions, XRAY_HEADER_KEY, compileMiddlewareOptions, recordRequestError, runInRequestContext, startRequestTrace } from '../core/index.js';

/** The parts of koa's context this adapter reads (koa 2 and 3 alike). */
interface KoaContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The matched route's template, full prefix included, set by @koa/router (12 to 15). */
  _matchedRoute?: unknown;
  onerror?: (error: unknown) => void;
}


/**
 * koa answers an error by first removing every response header, then setting those in
 * `error.headers`. Installed as `ctx.onerror` only once an error has passed through, this
 * lends the error our trace header for the length of koa's own `onerror` (app or user
 * defined), so the error response still names its trace.
 */
function onerrorKeepingTraceHeader(this: KoaContext, error: unknown): void {
  const onerror = (Object.getPrototypeOf(this) as KoaContext).onerror;
  if (typeof onerror !== 'function') return;
  const value = this.res.headersSent ? undefined : this.res.getHeader(XRAY_HEADER_KEY);
  const carrier = error as { headers?: unknown } | null;
  const previous = typeof carrier === 'object' && carrier !== null ? carrier.headers : null;
  if (value === undefined || !(previous === undefined || (typeof previous === 'object' && previous !== null))) {
    onerror.call(this, error);
    return;
  }
  const own = Object.prototype.hasOwnProperty.call(carrier, 'headers');
  try {
    (carrier as { headers?: unknown }).headers = { ...previous, [XRAY_HEADER_KEY]: value };
  } catch {
    // A frozen error: koa answers without the header.
    onerror.call(this, error);
    return;
  }
  try {
    onerror.call(this, error);
  } finally {
    if (own) (carrier as { headers?: unknown }).headers = previous;
    else delete (carrier as { headers?: unknown }).headers;
  }
}

/** The route template, read when the span ends: a handler may finish the response before `next()` resolves. */
function koaRoute(ctx: KoaContext): string | undefined {
  return typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;
}

/**
 * Koa middleware: one X-Ray server span per request, active in every middleware after it.
 * Add it first. Route templates come from @koa/router when it matches. Errors thrown by
 * later middleware are recorded and thrown on unchanged, so koa's own error handling answers.
 *
 * @param options.responseHeader - set `X-Amzn-Trace-Id` on responses (default `true`)
 * @param options.ignore - paths, RegExps or a predicate for requests not to trace
 * @example
 * app.use(xrayTracing({ ignore: ['/health'] }));
 */
export function xrayTracing(options: MiddlewareOptions = {}) {
  const settings = compileMiddlewareOptions(options);
  return async function xrayTracing(ctx: KoaContext, next: () => Promise<unknown>): Promise<void> {
    const requestTrace = startRequestTrace(ctx.req, ctx.res, settings);
    if (requestTrace === undefined) {
      await next();
      return;
    }
    requestTrace.readRouteWith(koaRoute, ctx);
    try {
      await runInRequestContext(requestTrace, next);
    } catch (error) {
      recordRequestError(requestTrace, error);
      if (!Object.prototype.hasOwnProperty.call(ctx, 'onerror')) ctx.onerror = onerrorKeepingTraceHeader;
      throw error;
    }
  };
}
