import { context, trace } from '@opentelemetry/api';
import { ensureTracing, invalidOption, invocationContext } from '../core/index.js';
import { invocationTraceHeader } from './trace-header.js';

/** The parts of the Lambda context object the wrapper reads. */
export interface LambdaContext {
  getRemainingTimeInMillis?: () => number;
}

/** An async Lambda handler, as serverless-http and @fastify/aws-lambda make them. */
export type LambdaHandler<TEvent = unknown, TResult = unknown, TContext = LambdaContext> = (
  event: TEvent,
  context: TContext,
) => Promise<TResult> | TResult;

/** A callback-style Lambda handler. */
export type LambdaCallbackHandler<TEvent = unknown, TResult = unknown, TContext = LambdaContext> = (
  event: TEvent,
  context: TContext,
  callback: (error?: unknown, result?: TResult) => void,
) => void;

type AnyHandler<TEvent, TResult, TContext> = LambdaHandler<TEvent, TResult, TContext> | LambdaCallbackHandler<TEvent, TResult, TContext>;

/** Options of {@link xrayLambda}. */
export interface XRayLambdaOptions {
  /** Longest wait, in ms, for the spans to be exported before the result is returned. Default 2000. */
  flushTimeoutMs?: number;
}

const DEFAULT_FLUSH_TIMEOUT_MS = 2000;
/** Time left to Lambda itself after the flush, so a slow exporter never turns a response into a timeout. */
const DEADLINE_MARGIN_MS = 200;

function resolveFlushTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_FLUSH_TIMEOUT_MS;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw invalidOption('flushTimeoutMs', 'a number of milliseconds, 0 or more', value);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}

/**
 * Calls the handler as the Lambda runtime does, whatever its declared parameters (a default
 * `callback = noop` or `...args` hide them from `handler.length`): it always gets a callback,
 * and the invocation settles on whichever comes first, the callback or the returned promise.
 * As under the runtime, a value returned synchronously is not the result (a concise
 * `(event, context, callback) => setImmediate(…)` returns a timer), and a handler that never
 * calls back ends with no result once the event loop has nothing left to do.
 */
function callHandler<TEvent, TResult, TContext>(
  handler: AnyHandler<TEvent, TResult, TContext>,
  event: TEvent,
  lambdaContext: TContext,
): Promise<TResult> {
  let onEmptyEventLoop: (() => void) | undefined;
  const settled = new Promise<TResult>((resolve, reject) => {
    const callback = (error?: unknown, result?: TResult): void => {
      if (error === undefined || error === null) resolve(result as TResult);
      else reject(error);
    };
    const returned: unknown = (handler as LambdaCallbackHandler<TEvent, TResult, TContext>)(event, lambdaContext, callback);
    if (isThenable(returned)) {
      returned.then((result) => resolve(result as TResult), reject);
    } else {
      onEmptyEventLoop = () => resolve(undefined as TResult);
      process.once('beforeExit', onEmptyEventLoop);
    }
  });
  if (onEmptyEventLoop === undefined) return settled;
  const listener = onEmptyEventLoop;
  return settled.finally(() => process.removeListener('beforeExit', listener));
}

function startFlush(): Promise<void> {
  const state = ensureTracing();
  if (state.options !== undefined) return state.handle.forceFlush();
  // The app registered its own provider, which otel-xray's handle cannot flush: ask the provider.
  const delegate = (trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } }).getDelegate?.();
  return typeof delegate?.forceFlush === 'function' ? delegate.forceFlush() : Promise.resolve();
}

/** The provider's forceFlush, bounded: Lambda freezes the process once the handler has returned. */
async function flushWithin(timeoutMs: number): Promise<void> {
  if (timeoutMs <= 0) return;
  let flushing: Promise<unknown>;
  try {
    flushing = startFlush().catch(() => undefined);
  } catch {
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((done) => {
    timer = setTimeout(done, timeoutMs);
  });
  try {
    await Promise.race([flushing, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function remainingTime(lambdaContext: unknown): number | undefined {
  try {
    return (lambdaContext as LambdaContext | undefined)?.getRemainingTimeInMillis?.();
  } catch {
    return undefined;
  }
}

function flushBudget(lambdaContext: unknown, flushTimeoutMs: number): number {
  const remaining = remainingTime(lambdaContext);
  if (typeof remaining !== 'number' || !Number.isFinite(remaining)) return flushTimeoutMs;
  return Math.min(flushTimeoutMs, remaining - DEADLINE_MARGIN_MS);
}

/**
 * Wraps a Lambda handler (an express or koa app through serverless-http, fastify through
 * @fastify/aws-lambda) so that its server span is a child of the Lambda function's segment
 * (the trace header Lambda gives the invocation, `_X_AMZN_TRACE_ID`), and every finished span
 * is exported before the handler's promise settles (Lambda may freeze the process right after),
 * waiting at most `flushTimeoutMs` and never into the invocation's last 200 ms.
 *
 * @param handler - the handler to wrap: `async (event, context)` or `(event, context, callback)`;
 *   like the Lambda runtime, it always gets a callback, and the first of its callback and its
 *   returned promise gives the result
 * @param options.flushTimeoutMs - longest wait for the export, in ms (default 2000)
 * @returns an async handler, `(event, context) => Promise<result>`
 * @example
 * import serverless from 'serverless-http';
 * import { xrayLambda } from 'otel-xray/lambda';
 * export const handler = xrayLambda(serverless(app));
 */
export function xrayLambda<TEvent = unknown, TResult = unknown, TContext = LambdaContext>(
  handler: LambdaHandler<TEvent, TResult, TContext>,
  options?: XRayLambdaOptions,
): (event: TEvent, context: TContext) => Promise<TResult>;
export function xrayLambda<TEvent = unknown, TResult = unknown, TContext = LambdaContext>(
  handler: LambdaCallbackHandler<TEvent, TResult, TContext>,
  options?: XRayLambdaOptions,
): (event: TEvent, context: TContext) => Promise<TResult>;
export function xrayLambda<TEvent, TResult, TContext>(
  handler: AnyHandler<TEvent, TResult, TContext>,
  options: XRayLambdaOptions = {},
): (event: TEvent, context: TContext) => Promise<TResult> {
  if (typeof handler !== 'function') {
    throw new TypeError(`otel-xray: xrayLambda needs the handler function (got ${handler === null ? 'null' : typeof handler})`);
  }
  if (typeof options !== 'object' || options === null) throw invalidOption('xrayLambda options', 'an object', options);
  const flushTimeoutMs = resolveFlushTimeout(options.flushTimeoutMs);
  return async function xrayLambdaHandler(event: TEvent, lambdaContext: TContext): Promise<TResult> {
    let invocation = context.active();
    try {
      ensureTracing();
      invocation = invocationContext(invocation, invocationTraceHeader());
    } catch {
      // tracing never stands between Lambda and the handler
    }
    try {
      return await (context.with(invocation, callHandler, undefined, handler, event, lambdaContext) as Promise<TResult>);
    } finally {
      await flushWithin(flushBudget(lambdaContext, flushTimeoutMs));
    }
  };
}
