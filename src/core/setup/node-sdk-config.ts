import type { ContextManager, TextMapPropagator, TracerProvider } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { type IdGenerator, NoopSpanProcessor, type Sampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { type ExportPipeline, createExportPipeline } from '../exporters/index.js';
import { startOutboundTracing } from '../outbound/index.js';
import { createSampler } from '../sampling/index.js';
import type { TracingOptions } from '../types.js';
import { XRayIdGenerator } from '../xray/id-generator.js';
import { StorageContextManager } from './context-manager.js';
import { type ResolvedOptions, resolveOptions } from './options.js';
import { createPropagator } from './propagators.js';
import { createResource } from './resource.js';

/**
 * The instrumentation shape NodeSDK registers (`@opentelemetry/instrumentation`'s
 * `Instrumentation`, written out so that package is not a dependency).
 */
export interface XRayOutboundInstrumentation {
  readonly instrumentationName: string;
  readonly instrumentationVersion: string;
  enable(): void;
  disable(): void;
  setTracerProvider(tracerProvider: TracerProvider): void;
  setMeterProvider(meterProvider: unknown): void;
  setConfig(config: { enabled?: boolean }): void;
  getConfig(): { enabled: boolean };
}

/** What `xrayNodeSdkConfig` gives: NodeSDK options, to spread into `new NodeSDK({ … })`. */
export interface XRayNodeSdkConfig {
  /** X-Ray trace ids (epoch seconds first), continuing a Root-only header's trace id. */
  idGenerator: IdGenerator;
  /** `X-Amzn-Trace-Id` in and out, next to `traceparent` and `baggage` (the `propagators` option). */
  textMapPropagator: TextMapPropagator;
  /** The `sampler` option, parent-based the X-Ray way (`Sampled=?` and Root-only headers decided here). */
  sampler: Sampler;
  /** The `exporter` option, batched. */
  spanProcessors: SpanProcessor[];
  /** The resource `startTracing` would use (service name, AWS detectors); NodeSDK merges its own over it. */
  resource: Resource;
  /** The context manager the middleware's diagnostics-channel hooks can enter. */
  contextManager: ContextManager;
  /** Outbound fetch/undici and node:http(s) tracing (the `outbound` option); empty when it is off. */
  instrumentations: XRayOutboundInstrumentation[];
}

/** What the middleware needs to know about a provider built from `xrayNodeSdkConfig`. */
export interface SdkConfigRecord {
  readonly options: ResolvedOptions;
  readonly ids: XRayIdGenerator;
  readonly contextManager: StorageContextManager;
  readonly pipeline: ExportPipeline;
  /** Starts outbound tracing, once, if the options ask for it. */
  startOutbound(): void;
}

// On globalThis, so a config built through one build (CJS) is found by the other (ESM).
const RECORDS = Symbol.for('otel-xray.sdk-configs');
type Holder = { [RECORDS]?: WeakMap<object, SdkConfigRecord> };

function records(): WeakMap<object, SdkConfigRecord> {
  const holder = globalThis as Holder;
  holder[RECORDS] ??= new WeakMap();
  return holder[RECORDS];
}

/** The config an id generator came from, if `xrayNodeSdkConfig` made it. */
export function sdkConfigOf(idGenerator: object): SdkConfigRecord | undefined {
  return records().get(idGenerator);
}

const INSTRUMENTATION_NAME = 'otel-xray-outbound';
const INSTRUMENTATION_VERSION = '1';

function outboundInstrumentation(record: SdkConfigRecord): XRayOutboundInstrumentation {
  let enabled = false;
  return {
    instrumentationName: INSTRUMENTATION_NAME,
    instrumentationVersion: INSTRUMENTATION_VERSION,
    enable() {
      enabled = true;
      record.startOutbound();
    },
    // Outbound hooks are shared process-wide and cost nothing outside a trace: they stay.
    disable() {
      enabled = false;
    },
    setTracerProvider() {},
    setMeterProvider() {},
    setConfig() {},
    getConfig: () => ({ enabled }),
  };
}

/**
 * NodeSDK options that give an app's own OpenTelemetry setup what `startTracing` gives: X-Ray
 * trace ids, the `X-Amzn-Trace-Id` header in and out, X-Ray sampling, the chosen exporter and
 * outbound propagation. `options` are `startTracing`'s, with the same environment variables.
 * The middleware then uses the app's provider. Options set after the spread win; an app with
 * its own `instrumentations` needs no change: outbound tracing also starts when the middleware
 * first meets this provider.
 *
 * @example
 * import { NodeSDK } from '@opentelemetry/sdk-node';
 * import { xrayNodeSdkConfig } from 'otel-xray';
 * const sdk = new NodeSDK({ ...xrayNodeSdkConfig({ exporter: 'xray-daemon' }), serviceName: 'orders' });
 * sdk.start();
 */
export function xrayNodeSdkConfig(options: TracingOptions = {}): XRayNodeSdkConfig {
  const resolved = resolveOptions(options);
  const ids = new XRayIdGenerator();
  const contextManager = new StorageContextManager();
  const pipeline = createExportPipeline(resolved);
  const spanProcessors = [...pipeline.processors];
  let outboundStarted = false;
  const record: SdkConfigRecord = {
    options: resolved,
    ids,
    contextManager,
    pipeline,
    startOutbound() {
      if (outboundStarted || !resolved.outbound) return;
      outboundStarted = true;
      startOutboundTracing();
    },
  };
  records().set(ids, record);
  return {
    idGenerator: ids,
    textMapPropagator: createPropagator(resolved.propagators),
    sampler: createSampler(resolved),
    // NodeSDK registers no provider at all without a span processor: with exporter 'none' the
    // app still wants X-Ray ids and headers.
    spanProcessors: spanProcessors.length > 0 ? spanProcessors : [new NoopSpanProcessor()],
    resource: createResource(resolved),
    contextManager,
    instrumentations: resolved.outbound ? [outboundInstrumentation(record)] : [],
  };
}
