import { DiagConsoleLogger, DiagLogLevel, context, diag, propagation, trace } from '@opentelemetry/api';
import { diagLogLevelFromString, getBooleanFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { StorageContextManager } from './context-manager.js';
import { createExportPipeline } from '../exporters/index.js';
import { XRayIdGenerator } from '../xray/id-generator.js';
import { resolveOptions } from './options.js';
import { createPropagator } from './propagators.js';
import { createResource } from './resource.js';
import { createSampler, hidingXRaySamplerEnv, stopSampler } from '../sampling/index.js';
import { startOutboundTracing } from '../outbound/index.js';
import { OFF_STATE, TRACER_NAME, TRACER_VERSION, type TracingState, getState, isProviderRegistered, noStats, setState } from './state.js';
import type { Tracing, TracingOptions } from '../types.js';

/** How long the SIGTERM flush may hold the process before it exits anyway. */
const SIGTERM_FLUSH_TIMEOUT_MS = 5000;

/** Where @opentelemetry/api 1.x keeps its globals: a `diag` entry there means the app set a logger. */
const OTEL_API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

function setUpDiagnostics(): void {
  const levelFromEnv = diagLogLevelFromString(getStringFromEnv('OTEL_LOG_LEVEL'));
  const appLogger = (globalThis as { [OTEL_API_GLOBALS]?: { diag?: unknown } })[OTEL_API_GLOBALS]?.diag !== undefined;
  // Keep a logger the app set itself; otherwise warnings (export failures, dropped spans)
  // reach the console unless OTEL_LOG_LEVEL says otherwise.
  if (appLogger && levelFromEnv === undefined) return;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: levelFromEnv ?? DiagLogLevel.WARN, suppressOverrideMessage: true });
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
  // Before the options: a bad option or environment value must reach the log, even at a lazy start.
  setUpDiagnostics();
  const resolved = resolveOptions(options);
  const ids = new XRayIdGenerator();
  const contextManager = new StorageContextManager();
  const sampler = createSampler(resolved);
  const pipeline = createExportPipeline(resolved);
  const provider = hidingXRaySamplerEnv(
    () =>
      new NodeTracerProvider({
        resource: createResource(resolved),
        sampler,
        idGenerator: ids,
        spanProcessors: pipeline.processors,
      }),
  );
  if (isProviderRegistered()) {
    diag.warn('otel-xray: another tracer provider is already registered with the OpenTelemetry API: otel-xray records its spans with its own provider, other instrumentation keeps using the registered one');
  }
  provider.register({ contextManager, propagator: createPropagator(resolved.propagators) });

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
          trace.disable();
          propagation.disable();
          context.disable();
        }
      })();
      return stopping;
    },
  };
  if (resolved.flushOnSigterm) stopSigterm = flushOnSigterm(handle);
  setState({ kind: 'own', handle, tracer: provider.getTracer(TRACER_NAME, TRACER_VERSION), ids, contextManager, options: resolved });
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
    const borrowed: TracingState = {
      kind: 'borrowed',
      handle: { forceFlush: async () => {}, shutdown: async () => setState(undefined), stats: noStats },
      tracer: trace.getTracer(TRACER_NAME, TRACER_VERSION),
    };
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
