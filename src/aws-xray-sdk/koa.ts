import type { IncomingMessage, ServerResponse } from 'node:http';
import { runInRequestContext } from '../core/index.js';
import type { Entity } from './entity.js';
import { isAutomaticMode } from './context.js';
import { REQUEST_SETTINGS, checkDefaultName, openRequestSegment } from './express.js';
import { setDefaultName } from './middleware.js';

/** The parts of koa's context read here; `segment` is set in manual mode, as the koa X-Ray middleware does. */
interface KoaContext {
  req: IncomingMessage;
  res: ServerResponse;
  /** The matched route template, set by @koa/router. */
  _matchedRoute?: unknown;
  segment?: Entity;
}

const koaRoute = (ctx: KoaContext): string | undefined => (typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined);

/**
 * The `openSegment` koa middleware of the aws-xray-sdk koa package: a segment per request,
 * current in the downstream middleware (automatic mode) or on `ctx.segment` (manual mode);
 * a thrown error is recorded on it.
 *
 * @example
 * app.use(AWSXRay.koa.openSegment('orders'));
 */
export function openSegment(defaultName: string) {
  checkDefaultName(defaultName);
  setDefaultName(defaultName);
  return async function open(ctx: KoaContext, next: () => Promise<unknown>): Promise<void> {
    const opened = openRequestSegment(ctx.req, ctx.res, REQUEST_SETTINGS);
    if (opened === undefined) {
      await next();
      return;
    }
    const [segment, requestTrace] = opened;
    requestTrace.readRouteWith(koaRoute, ctx);
    if (!isAutomaticMode()) ctx.segment = segment;
    try {
      await runInRequestContext(requestTrace, next);
    } catch (error) {
      segment.addError(error as Error);
      throw error;
    }
  };
}

export const koa = { openSegment };
