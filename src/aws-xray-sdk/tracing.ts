import type { Tracer } from '@opentelemetry/api';
import { type TracingOptions, type TracingState, type XRaySamplingRules, getState, startTracing } from '../core/index.js';
import { getLogger } from './logger.js';

/*
 * What the aws-xray-sdk configuration calls (setDaemonAddress, setSamplingRules,
 * disableCentralizedSampling, config, setDefaultName) asked for, applied when tracing starts:
 * at the first segment, unless the app started tracing itself. Apps make those calls at
 * start-up, before any request, as aws-xray-sdk requires too.
 */

/** aws-xray-sdk's local fallback rules: one request a second, then 5%. */
const DEFAULT_LOCAL_RULES: XRaySamplingRules = { version: 2, rules: [], default: { fixed_target: 1, rate: 0.05 } };

const settings: {
  daemonAddress?: string;
  rules?: object | string;
  centralized: boolean;
  serviceName?: string;
} = { centralized: true };

/** Warns when a setting arrives after tracing has started, since it can no longer apply. */
function configure(what: string, apply: () => void): void {
  const state = getState();
  if (state !== undefined && state.kind !== 'off') {
    getLogger().warn(`${what} ignored: tracing has already started; make this call before the first request`);
  }
  apply();
}

export function setDaemonAddress(address: string): void {
  if (process.env.AWS_XRAY_DAEMON_ADDRESS) {
    getLogger().warn('Ignoring call to setDaemonAddress as AWS_XRAY_DAEMON_ADDRESS is set.');
    return;
  }
  if (typeof address !== 'string' || address.trim() === '') throw new TypeError('otel-xray/aws-xray-sdk: setDaemonAddress needs "host:port" or "tcp:host:port udp:host:port"');
  configure('setDaemonAddress', () => (settings.daemonAddress = address));
}

export function setSamplingRules(source: object | string): void {
  if (!source || source instanceof String || !(typeof source === 'string' || source instanceof Object)) {
    throw new Error('Please specify a path to the local sampling rules file, or supply an object containing the rules.');
  }
  configure('middleware.setSamplingRules', () => (settings.rules = source));
}

export function disableCentralizedSampling(): void {
  configure('middleware.disableCentralizedSampling', () => (settings.centralized = false));
}

/** The service name tracing starts with, unless OTEL_SERVICE_NAME names one. */
export function setTracingServiceName(name: string): void {
  settings.serviceName ??= name;
}

/**
 * The sampler aws-xray-sdk would use: the local rules when the app set some (they then
 * replace the centralized rules rather than back them up), the default local rules when
 * centralized sampling is off, else X-Ray's centralized rules (the `xray` sampler, which
 * falls back to local rules as aws-xray-sdk does). OTEL_TRACES_SAMPLER wins over all of these.
 */
function sampler(): TracingOptions['sampler'] {
  if (process.env.OTEL_TRACES_SAMPLER) return undefined;
  if (settings.rules !== undefined) return { rules: settings.rules as XRaySamplingRules | string };
  return settings.centralized ? 'xray' : { rules: DEFAULT_LOCAL_RULES };
}

/** startTracing's options from the calls above: the X-Ray daemon as the target, as with aws-xray-sdk. */
export function tracingOptions(): TracingOptions {
  const options: TracingOptions = {};
  if (!process.env.OTEL_TRACES_EXPORTER) options.exporter = 'xray-daemon';
  if (settings.daemonAddress !== undefined) options.endpoint = settings.daemonAddress;
  const chosen = sampler();
  if (chosen !== undefined) options.sampler = chosen;
  if (!process.env.OTEL_SERVICE_NAME && settings.serviceName !== undefined) options.serviceName = settings.serviceName;
  return options;
}

/** The tracing state, starting tracing with the settings above when nothing has started it. */
export function tracingState(): TracingState {
  if (getState() === undefined) startTracing(tracingOptions());
  return getState() as TracingState;
}

export function tracer(): Tracer {
  return tracingState().tracer;
}
