import { type Context, ProxyTracerProvider, type Tracer, trace } from '@opentelemetry/api';
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { StorageContextManager } from './context-manager.js';
import type { XRayIdGenerator } from '../xray/id-generator.js';
import type { DecidedAheadSampler } from '../sampling/decided-ahead.js';
import type { SdkSpanStarter } from '../request/sdk-span-starter.js';
import type { CallerHeadersCheck } from '../request/caller-headers.js';
import type { ResolvedOptions } from './options.js';
import type { Tracing, TracingStats } from '../types.js';
import { PACKAGE_VERSION } from './version.js';

/**
 * What the middleware, outbound hooks and exporters share once tracing has started:
 * - `own`: otel-xray registered its provider (X-Ray ids, our context manager, the options);
 * - `borrowed`: the app registered its own provider first (NodeSDK), and otel-xray's spans go
 *   through it; with the X-Ray parts when it was built from `xrayNodeSdkConfig`;
 * - `off`: OTEL_SDK_DISABLED, or after shutdown() until startTracing() runs again.
 */
export type TracingState =
  | {
      readonly kind: 'own';
      readonly handle: Tracing;
      readonly tracer: Tracer;
      readonly ids: XRayIdGenerator;
      /** The provider's sampler: server spans are decided before the tracer runs (request/server-span.ts). */
      readonly decisions: DecidedAheadSampler;
      /** Starts sampled server spans once the tracer has started one (request/sdk-span-starter.ts). */
      readonly spans: SdkSpanStarter;
      readonly contextManager: StorageContextManager;
      /**
       * The storage behind `context.active()` when otel-xray's context manager is the one
       * registered: a request then enters it directly, without the API's dispatch.
       */
      readonly requestStorage: AsyncLocalStorage<Context> | undefined;
      /**
       * Whether a request brought any header the registered propagator reads, when it is
       * otel-xray's: a request with none of them has no parent to extract.
       */
      readonly hasCallerHeaders: CallerHeadersCheck | undefined;
      readonly options: ResolvedOptions;
    }
  | {
      readonly kind: 'borrowed';
      readonly handle: Tracing;
      readonly tracer: Tracer;
      /** Present when the app's provider was built from `xrayNodeSdkConfig`. */
      readonly ids?: XRayIdGenerator;
      readonly contextManager?: StorageContextManager;
      readonly options?: ResolvedOptions;
    }
  | {
      readonly kind: 'off';
      readonly handle: Tracing;
      readonly tracer: Tracer;
      readonly ids?: undefined;
      readonly contextManager?: undefined;
      readonly options?: undefined;
    };

/** The state while otel-xray's own provider is registered. */
export type OwnState = Extract<TracingState, { kind: 'own' }>;

// Kept on globalThis so the ESM and CJS builds of this package, if both load, share one state.
const STATE = Symbol.for('otel-xray.state');
type Holder = { [STATE]?: TracingState };

export function getState(): TracingState | undefined {
  return (globalThis as Holder)[STATE];
}

export function setState(state: TracingState | undefined): void {
  (globalThis as Holder)[STATE] = state;
}

/** True when some tracer provider (ours or the app's own) is registered with the OTel API. */
export function isProviderRegistered(): boolean {
  const delegate = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate?.();
  return delegate !== undefined && delegate !== new ProxyTracerProvider().getDelegate();
}

export const TRACER_NAME = 'otel-xray';
/** The instrumentation scope's version on every span: this package's version. */
export const TRACER_VERSION = PACKAGE_VERSION;

/** The counters of a handle that exports nothing itself. */
export const noStats = (): TracingStats => ({ exported: 0, dropped: 0, failed: 0, queued: 0 });

const noopHandle: Tracing = { forceFlush: async () => {}, shutdown: async () => {}, stats: noStats };

/** The state while tracing is off: requests are served untraced and the middleware does not start it. */
export const OFF_STATE: TracingState = {
  kind: 'off',
  handle: noopHandle,
  tracer: new ProxyTracerProvider().getTracer(TRACER_NAME, TRACER_VERSION),
};
