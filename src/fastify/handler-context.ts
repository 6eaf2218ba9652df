import { type Context, ROOT_CONTEXT } from '@opentelemetry/api';
import { tracingChannel } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { AsyncLocalStorage } from 'node:async_hooks';
import { getRequestTrace, getState } from '../core/index.js';

/**
 * fastify 5 runs each route handler inside its `fastify.request.handler` tracing channel.
 * Binding the context store to that channel makes the request's span active in the handler
 * with no fastify hook: the zero-code hook, which adds none, uses it. The plugin does not: a
 * bound channel makes fastify trace every handler through it, which the plugin's onRequest
 * scope makes unneeded.
 */
const handlerChannel = tracingChannel<unknown, { request: { raw: IncomingMessage } }>('fastify.request.handler');
let boundStorage: AsyncLocalStorage<Context> | undefined;

function contextOf(message: { request: { raw: IncomingMessage } }): Context {
  return getRequestTrace(message.request.raw)?.context ?? ROOT_CONTEXT;
}

/** The route template fastify matched (`/users/:id`, prefixes included); undefined for a 404. */
export function fastifyRoute(request: { routeOptions?: { url?: unknown } }): string | undefined {
  const url = request.routeOptions?.url;
  return typeof url === 'string' ? url : undefined;
}

/** Binds the current OTel context storage to fastify's handler channel (once per storage). */
export function bindHandlerContext(): void {
  const storage = getState()?.contextManager?.storage;
  if (storage === undefined || storage === boundStorage) return;
  if (boundStorage !== undefined) handlerChannel.start.unbindStore(boundStorage);
  handlerChannel.start.bindStore(storage, contextOf);
  boundStorage = storage;
}
