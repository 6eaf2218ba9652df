import { ROOT_CONTEXT, type Tracer, TraceFlags, createContextKey, context, diag, propagation, trace } from '@opentelemetry/api';
import type { IdGenerator } from '@opentelemetry/sdk-trace-base';
import { XRAY_HEADER_KEY } from '../xray/header.js';
import { setUpDiagnostics } from './diagnostics.js';
import { type SdkConfigRecord, sdkConfigOf } from './node-sdk-config.js';
import { TRACER_NAME, TRACER_VERSION, type TracingState, noStats, setState } from './state.js';

/** An X-Ray trace id starts with the epoch seconds it was made at; a random one almost never lands this close to now. */
const XRAY_ID_WINDOW_SECONDS = 300;
const PROBE_SPAN_CONTEXT = { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: TraceFlags.SAMPLED };
const PROBE_KEY = createContextKey('otel-xray context manager probe');

let warned = false;

/** The id generator behind an SDK tracer (a private field in sdk-trace 1.x and 2.x), if there is one. */
function idGeneratorOf(tracer: Tracer): IdGenerator | undefined {
  const ids = (tracer as { _idGenerator?: IdGenerator })._idGenerator;
  return typeof ids?.generateTraceId === 'function' ? ids : undefined;
}

/** True for X-Ray ids, false for others, undefined when the provider does not say. */
function makesXRayIds(ids: IdGenerator | undefined): boolean | undefined {
  if (ids === undefined) return undefined;
  try {
    const seconds = Number.parseInt(ids.generateTraceId().slice(0, 8), 16);
    return Math.abs(seconds - Date.now() / 1000) <= XRAY_ID_WINDOW_SECONDS;
  } catch {
    return undefined;
  }
}

/** Whether the registered propagator writes `X-Amzn-Trace-Id` (ours or the stock one). */
function propagatesXRay(): boolean {
  const carrier: Record<string, string> = {};
  try {
    propagation.inject(trace.setSpanContext(ROOT_CONTEXT, PROBE_SPAN_CONTEXT), carrier);
  } catch {
    return false;
  }
  return Object.keys(carrier).some((key) => key.toLowerCase() === XRAY_HEADER_KEY);
}

/** Whether the config's context manager is the one the API uses (the app may have passed its own). */
function isActiveContextManager(record: SdkConfigRecord): boolean {
  const probe = ROOT_CONTEXT.setValue(PROBE_KEY, true);
  return record.contextManager.with(probe, () => context.active() === probe);
}

/** Says once what the app's provider lacks, and how to add it. */
function warnIfHalfConfigured(xrayIds: boolean | undefined, xrayPropagation: boolean): void {
  const missing = [xrayIds === false ? 'X-Ray trace ids' : undefined, xrayPropagation ? undefined : 'X-Amzn-Trace-Id propagation'].filter(Boolean);
  if (missing.length === 0 || warned) return;
  warned = true;
  setUpDiagnostics();
  diag.warn(
    `otel-xray: the OpenTelemetry provider this app registered has no ${missing.join(' and no ')}: ` +
      'X-Ray cannot continue or link its traces. Spread xrayNodeSdkConfig() from otel-xray into the NodeSDK options ' +
      '(new NodeSDK({ ...xrayNodeSdkConfig(), serviceName })), see the README section "Using an existing OpenTelemetry setup"',
  );
}

/**
 * The tracing state when the app registered its own provider (NodeSDK, say): otel-xray's spans
 * go through it. Built with `xrayNodeSdkConfig`, it brings X-Ray ids, our context manager and
 * the options, and outbound tracing starts here if the app's own `instrumentations` left ours out.
 * Otherwise a warning, once, names what is missing.
 */
export function borrowRegisteredProvider(): TracingState {
  const tracer = trace.getTracer(TRACER_NAME, TRACER_VERSION);
  const ids = idGeneratorOf(tracer);
  const record = ids === undefined ? undefined : sdkConfigOf(ids);
  record?.startOutbound();
  warnIfHalfConfigured(record === undefined ? makesXRayIds(ids) : true, propagatesXRay());
  const processors = record?.pipeline.processors ?? [];
  return {
    kind: 'borrowed',
    tracer,
    ids: record?.ids,
    contextManager: record !== undefined && isActiveContextManager(record) ? record.contextManager : undefined,
    options: record?.options,
    handle: {
      // The app owns its provider: flushing ours is fine (Lambda asks for it), shutting it down is not.
      forceFlush: async () => {
        await Promise.all(processors.map((processor) => processor.forceFlush()));
      },
      shutdown: async () => setState(undefined),
      stats: record === undefined ? noStats : () => record.pipeline.stats(),
    },
  };
}
