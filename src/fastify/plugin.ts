import type { FastifyPluginCallback, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import {
  type MiddlewareOptions,
  type MiddlewareSettings,
  compileMiddlewareOptions,
  ensureTracing,
  getRequestTrace,
  recordRequestError,
  reportStartFailure,
  runInRequestContext,
  startRequestTrace,
} from '../core/index.js';
import { fastifyRoute } from './handler-context.js';

function recordXRayError(request: FastifyRequest, _reply: FastifyReply, error: Error, done: HookHandlerDoneFunction): void {
  const requestTrace = getRequestTrace(request.raw);
  if (requestTrace !== undefined) recordRequestError(requestTrace, error);
  done();
}

const plugin: FastifyPluginCallback<MiddlewareOptions> = (fastify, options, done) => {
  let settings: MiddlewareSettings;
  try {
    settings = compileMiddlewareOptions({ responseHeader: options.responseHeader, ignore: options.ignore });
  } catch (error) {
    // A mistake in the code: reported through fastify's boot, `register(…)` / `ready()` rejects with it.
    done(error as Error);
    return;
  }
  try {
    ensureTracing();
  } catch (error) {
    // A bad environment value: serve untraced, as express and koa do, and say why once.
    reportStartFailure(error);
  }
  fastify.addHook('onRequest', function startXRaySpan(request: FastifyRequest, reply: FastifyReply, hookDone: HookHandlerDoneFunction) {
    const requestTrace = startRequestTrace(request.raw, reply.raw, settings);
    if (requestTrace === undefined) return hookDone();
    requestTrace.readRouteWith(fastifyRoute, request);
    // The later hooks and the handler run inside this scope, a handler after body parsing too:
    // fastify 5 parses a body in an AsyncResource made here, so its callback comes back to this
    // context. No hook or diagnostics-channel binding per route (binding a store to fastify's
    // handler channel cost 11k instructions per request on Node 24).
    runInRequestContext(requestTrace, hookDone);
  });
  fastify.addHook('onError', recordXRayError);
  done();
};

/**
 * fastify plugin: one X-Ray server span per request, named after the route template and
 * active in the route handler. Wrapped with fastify-plugin, so it covers every route.
 *
 * @param options.responseHeader - set `X-Amzn-Trace-Id` on responses (default `true`)
 * @param options.ignore - paths, RegExps or a predicate for requests not to trace
 * @example
 * await app.register(xrayTracing, { ignore: ['/health'] });
 */
export const xrayTracing = fp(plugin, { fastify: '5.x', name: 'otel-xray' });
