import { type TextMapPropagator, context, diag, propagation, trace } from '@opentelemetry/api';
import { getBooleanFromEnv } from '@opentelemetry/core';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { StorageContextManager } from './context-manager.js';
import { createExportPipeline } from '../exporters/index.js';
import { XRayIdGenerator } from '../xray/id-generator.js';
import { borrowRegisteredProvider } from './borrowed.js';
import { registeredGlobals, setUpDiagnostics } from './diagnostics.js';
import { resolveOptions } from './options.js';
import { createPropagator } from './propagators.js';
import { createResource } from './resource.js';
import { createSampler, hidingXRaySamplerEnv, stopSampler } from '../sampling/index.js';
import { DecidedAheadSampler } from '../sampling/decided-ahead.js';
import { SdkSpanStarter } from '../request/sdk-span-starter.js';
import { callerHeadersCheck } from '../request/caller-headers.js';
import { startOutboundTracing } from '../outbound/index.js';
import { OFF_STATE, TRACER_NAME, TRACER_VERSION, type TracingState, getState, isProviderRegistered, setState } from './state.js';
import type { Tracing, TracingOptions } from '../types.js';

/** How long the SIGTERM flush may hold the process before it exits anyway. */
const SIGTERM_FLUSH_TIMEOUT_MS = 5000;

/**
 * Registers the provider, context manager and propagator with the OTel API, each unless the
 * app registered its own already: the API would refuse a second one with a stack trace.
 */
function registerGlobally(
  taken: ReturnType<typeof registeredGlobals>,
  provider: NodeTracerProvider,
  contextManager: StorageContextManager,
  propagator: TextMapPropagator,
): () => void {
  trace.setGlobalTracerProvider(provider);
  if (!taken.context) context.setGlobalContextManager(contextManager.enable());
  if (!taken.propagation) propagation.setGlobalPropagator(propagator);
  const kept = [taken.context ? 'context manager' : undefined, taken.propagation ? 'propagator' : undefined].filter(Boolean);
  if (kept.length > 0) diag.warn(`otel-xray: the app registered its own OpenTelemetry ${kept.join(' and ')}: otel-xray keeps ${kept.length > 1 ? 'them' : 'it'}`);
  return () => {
    trace.disable();
    if (!taken.propagation) propagation.disable();
    if (!taken.context) context.disable();
  };
}

/**
 * Flushes on SIGTERM. A listener replaces Node's default exit, so when otel-xray is the only
 * listener it exits the way the signal would have, after the flush; when the app has its
 * own listener, the app decides when to exit, so tracing only flushes and stays open for the
 * spans of requests the app is still draining (its own `shutdown()` delivers those).
 */
function flushOnSigterm(tracing: Tracing): () => void {
  const onSigterm = (): void => {
    const appHandlesExit = process.listenerCount('SIGTERM') > 1;
    process.removeListener('SIGTERM', onSigterm);
    const timeout = new Promise<void>((done) => setTimeout(done, SIGTERM_FLUSH_TIMEOUT_MS).unref());
    const flushed = appHandlesExit ? tracing.forceFlush() : tracing.shutdown();
    void Promise.race([flushed, timeout]).finally(() => {
      if (!appHandlesExit) process.kill(process.pid, 'SIGTERM');
    });
  };
  process.on('SIGTERM', onSigterm);
  return () => process.removeListener('SIGTERM', onSigterm);
}

/**
 * Starts X-Ray tracing: a tracer provider with X-Ray ids, X-Ray and W3C propagation, sampling
 * and an exporter, registered with the OTel API. Calling it again returns the same handle.
 *
 * @example
 * const tracing = startTracing({ serviceName: 'orders' });
 * process.on('beforeExit', () => tracing.shutdown());
 */
export function startTracing(options: TracingOptions = {}): Tracing {
  const existing = getState();
  if (existing !== undefined && existing.kind !== 'off') {
    if (Object.keys(options ?? {}).length > 0) {
      diag.warn('otel-xray: tracing had already started (by an earlier startTracing() or the middleware), so these options are ignored: call startTracing(options) before the middleware first runs');
    }
    return existing.handle;
  }

  if (getBooleanFromEnv('OTEL_SDK_DISABLED')) {
    setState(OFF_STATE);
    return OFF_STATE.handle;
  }
  if (isProviderRegistered()) {
    // The app runs its own SDK (NodeSDK): a second provider would split its traces, and the API refuses one.
    if (Object.keys(options ?? {}).length > 0) {
      setUpDiagnostics();
      diag.warn(
        'otel-xray: an OpenTelemetry tracer provider is already registered, so otel-xray uses it and these startTracing() ' +
          'options are ignored: pass them to xrayNodeSdkConfig(options) and spread that into the NodeSDK options',
      );
    }
    const borrowed = borrowRegisteredProvider();
    setState(borrowed);
    return borrowed.handle;
  }
  // Before the options: a bad option or environment value must reach the log, even at a lazy start.
  setUpDiagnostics();
  const resolved = resolveOptions(options);
  const ids = new XRayIdGenerator();
  const contextManager = new StorageContextManager();
  const sampler = createSampler(resolved);
  const decisions = new DecidedAheadSampler(sampler);
  const pipeline = createExportPipeline(resolved);
  const provider = hidingXRaySamplerEnv(
    () =>
      new NodeTracerProvider({
        resource: createResource(resolved),
        sampler: decisions,
        idGenerator: ids,
        spanProcessors: pipeline.processors,
      }),
  );
  const propagator = createPropagator(resolved.propagators);
  const taken = registeredGlobals();
  const unregister = registerGlobally(taken, provider, contextManager, propagator);

  let stopSigterm: (() => void) | undefined;
  const stopOutbound = resolved.outbound ? startOutboundTracing() : undefined;
  let stopping: Promise<void> | undefined;
  const handle: Tracing = {
    forceFlush: () => provider.forceFlush(),
    stats: () => pipeline.stats(),
    shutdown() {
      stopping ??= (async () => {
        stopSigterm?.();
        stopOutbound?.();
        stopSampler(sampler);
        try {
          // Bounded: a backend that is down must not hold the app's exit for its export timeout.
          await pipeline.shutdown(provider.shutdown());
        } finally {
          if (getState()?.handle === handle) setState(OFF_STATE);
          unregister();
        }
      })();
      return stopping;
    },
  };
  if (resolved.flushOnSigterm) stopSigterm = flushOnSigterm(handle);
  setState({
    kind: 'own',
    handle,
    tracer: provider.getTracer(TRACER_NAME, TRACER_VERSION),
    ids,
    decisions,
    spans: new SdkSpanStarter(),
    contextManager,
    requestStorage: taken.context ? undefined : contextManager.storage,
    hasCallerHeaders: taken.propagation ? undefined : callerHeadersCheck(propagator.fields()),
    options: resolved,
  });
  return handle;
}

let autoStartError: unknown;

/**
 * The shared state, starting tracing with environment defaults when nothing is registered.
 * When the app registered its own OTel provider, otel-xray creates its spans through that one.
 */
export function ensureTracing(): TracingState {
  const state = getState();
  if (state !== undefined) return state;
  if (isProviderRegistered()) {
    const borrowed = borrowRegisteredProvider();
    setState(borrowed);
    return borrowed;
  }
  if (autoStartError !== undefined) throw autoStartError;
  try {
    startTracing();
  } catch (error) {
    // The environment will not change: fail fast on later requests instead of retrying each time.
    autoStartError = error;
    throw error;
  }
  return getState() as TracingState;
}
