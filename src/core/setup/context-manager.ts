import type { Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { AsyncLocalStorage } from 'node:async_hooks';

/**
 * OTel's AsyncLocalStorage context manager, with its storage reachable: diagnostics-channel
 * hooks (fastify's handler channel, Node's http server channel) cannot wrap the code they
 * precede in `context.with`, so they bind or enter the store instead.
 */
export class StorageContextManager extends AsyncLocalStorageContextManager {
  /** The AsyncLocalStorage behind `context.active()`. */
  get storage(): AsyncLocalStorage<Context> {
    return (this as unknown as { _asyncLocalStorage: AsyncLocalStorage<Context> })._asyncLocalStorage;
  }
}
