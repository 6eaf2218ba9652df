import { type Context, ROOT_CONTEXT } from '@opentelemetry/api';
import { tracingChannel } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { AsyncLocalStorage } from 'node:async_hooks';
import { getRequestTrace } from '../core/request/request-trace.js';
import { getState } from '../core/setup/state.js';

/**
 * fastify 5 runs each route handler inside its `fastify.request.handler` tracing channel.
 * Binding the context store to that channel makes the request's span active in the handler
 * even when body parsing ran on the socket's own async context, with no wrapping of routes.
 */
const handlerChannel = tracingChannel<unknown, { request: { raw: IncomingMessage } }>('fastify.request.handler');
let boundStorage: AsyncLocalStorage<Context> | undefined;

function contextOf(message: { request: { raw: IncomingMessage } }): Context {
  return getRequestTrace(message.request.raw)?.context ?? ROOT_CONTEXT;
}

/** Binds the current OTel context storage to fastify's handler channel (once per storage). */
export function bindHandlerContext(): void {
  const storage = getState()?.contextManager?.storage;
  if (storage === undefined || storage === boundStorage) return;
  if (boundStorage !== undefined) handlerChannel.start.unbindStore(boundStorage);
  handlerChannel.start.bindStore(storage, contextOf);
  boundStorage = storage;
}
