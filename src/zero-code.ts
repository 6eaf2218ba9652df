import { ROOT_CONTEXT } from '@opentelemetry/api';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type MiddlewareSettings,
  compileMiddlewareOptions,
  endRequestTrace,
  getRequestTrace,
  getState,
  invalidOption,
  startRequestTrace,
} from './core/index.js';
import { expressRoute } from './express/route-template.js';
import { bindHandlerContext, fastifyRoute } from './fastify/handler-context.js';

/** Published by node:http(s) servers just before the `request` event, and when a response finishes. */
interface ServerMessage {
  request: IncomingMessage;
  response: ServerResponse;
}

/** fastify 5 publishes this on `fastify.request.handler`: its request, with the matched route. */
interface FastifyHandlerMessage {
  request: { raw: IncomingMessage; routeOptions?: { url?: unknown } };
}

const REQUEST_START = 'http.server.request.start';
const RESPONSE_FINISH = 'http.server.response.finish';
const fastifyHandler = tracingChannel<unknown, FastifyHandlerMessage>('fastify.request.handler');
/** Env: comma-separated path prefixes not to trace (health checks), as the middleware's `ignore` strings. */
const IGNORE_ENV = 'OTEL_XRAY_IGNORE_PATHS';
let settings: MiddlewareSettings = compileMiddlewareOptions({});

function settingsFromEnv(): MiddlewareSettings {
  const raw = process.env[IGNORE_ENV]?.trim();
  if (raw === undefined || raw === '') return compileMiddlewareOptions({});
  const paths = raw.split(',').map((path) => path.trim()).filter((path) => path !== '');
  try {
    return compileMiddlewareOptions({ ignore: paths });
  } catch (error) {
    throw Object.assign(invalidOption(IGNORE_ENV, 'paths starting with "/", separated by commas', raw), { cause: error });
  }
}

function onRequestStart(message: unknown): void {
  const { request, response } = message as ServerMessage;
  const requestTrace = startRequestTrace(request, response, settings);
  // express keeps the matched route on req, read when the span ends; fastify's channel below names its own.
  requestTrace?.readRouteWith(expressRoute, request);
  // The channel is published synchronously right before the server emits `request`, in the
  // async context the handlers then run in. There is no callback to wrap in context.with(),
  // so the span's context is entered into the store for the rest of this execution and the
  // async work it starts. A request that is not traced enters the root context: on a
  // keep-alive connection the same async resource serves the next request, which would
  // otherwise inherit the previous request's span.
  getState()?.contextManager?.storage.enterWith(requestTrace?.context ?? ROOT_CONTEXT);
}

function onResponseFinish(message: unknown): void {
  const requestTrace = getRequestTrace((message as ServerMessage).request);
  if (requestTrace !== undefined) endRequestTrace(requestTrace);
}

function onFastifyHandler(message: unknown): void {
  const { request } = message as FastifyHandlerMessage;
  getRequestTrace(request.raw)?.readRouteWith(fastifyRoute, request);
}

/**
 * Traces every incoming node:http(s) request with no change to the app: one SERVER span per
 * request, active in its handlers, named after the route where the framework exposes it
 * without patching (fastify's handler channel, express's `req.route`). The framework
 * middleware, if also added, reuses this span. Paths in `OTEL_XRAY_IGNORE_PATHS` are not
 * traced. Throws a TypeError for a bad `OTEL_XRAY_IGNORE_PATHS`. Returns a function that stops it.
 *
 * @example
 * startTracing();
 * const stop = startZeroCodeTracing();
 */
export function startZeroCodeTracing(): () => void {
  settings = settingsFromEnv();
  subscribe(REQUEST_START, onRequestStart);
  subscribe(RESPONSE_FINISH, onResponseFinish);
  fastifyHandler.start.subscribe(onFastifyHandler);
  // fastify may run a handler after body parsing on another async context: bind its channel too.
  bindHandlerContext();
  return () => {
    unsubscribe(REQUEST_START, onRequestStart);
    unsubscribe(RESPONSE_FINISH, onResponseFinish);
    fastifyHandler.start.unsubscribe(onFastifyHandler);
  };
}
