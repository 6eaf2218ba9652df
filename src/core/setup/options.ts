import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import {
  DEFAULT_PROPAGATORS,
  EXPORTER_NAMES,
  type ExporterName,
  PROPAGATOR_NAMES,
  type PropagatorName,
  SAMPLER_NAMES,
  type SamplerName,
  type TracingOptions,
  type XRaySamplingRules,
} from '../types.js';
import { invalidOption, rejectUnknownKeys } from '../common/index.js';
import { type SensitiveQueryKeys, sensitiveQueryKeys } from '../outbound/url.js';

/** Every `startTracing` option; the `satisfies` clause keeps it in step with `TracingOptions`. */
const OPTION_NAMES = [
  'serviceName',
  'exporter',
  'endpoint',
  'sampler',
  'samplerArg',
  'propagators',
  'outbound',
  'outboundRootSpans',
  'redactQueryKeys',
  'resourceAttributes',
  'flushOnSigterm',
] as const satisfies readonly (keyof TracingOptions)[];
type MissingOptionName = Exclude<keyof TracingOptions, (typeof OPTION_NAMES)[number]>;
// Fails to compile when TracingOptions gains an option that OPTION_NAMES lacks.
const everyOptionListed: [MissingOptionName] extends [never] ? true : MissingOptionName = true;
void everyOptionListed;

/** Env: extra query parameter names whose values outbound `url.full` redacts, comma-separated. */
const REDACT_QUERY_KEYS_ENV = 'OTEL_XRAY_REDACT_QUERY_KEYS';
/** The samplers that read `samplerArg` / `OTEL_TRACES_SAMPLER_ARG`. */
const RATIO_SAMPLERS: readonly unknown[] = ['traceidratio', 'parentbased_traceidratio'];

/** `startTracing` options with every default and environment variable applied. */
export interface ResolvedOptions {
  serviceName: string | undefined;
  exporter: ExporterName | SpanExporter;
  endpoint: string | undefined;
  sampler: SamplerName | { rules: XRaySamplingRules | string } | Sampler;
  samplerArg: number;
  propagators: PropagatorName[];
  outbound: boolean;
  outboundRootSpans: boolean;
  /** Lower-cased query parameter names whose values outbound `url.full` redacts (defaults included). */
  redactQueryKeys: SensitiveQueryKeys;
  resourceAttributes: Record<string, string | number | boolean>;
  flushOnSigterm: boolean;
}

function env(name: string): string | undefined {
  const value = process.env[name]?.trim();
  return value === '' ? undefined : value;
}

function fail(what: string, allowed: string, got: unknown): never {
  throw invalidOption(what, allowed, got);
}

function oneOf<T extends string>(what: string, names: readonly T[], value: unknown): T {
  if (typeof value === 'string' && (names as readonly string[]).includes(value)) return value as T;
  return fail(what, `one of ${names.join(', ')}`, value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function resolveExporter(option: TracingOptions['exporter']): ResolvedOptions['exporter'] {
  if (option === undefined) {
    const fromEnv = env('OTEL_TRACES_EXPORTER')?.split(',')[0]?.trim();
    return fromEnv === undefined ? 'otlp' : oneOf('OTEL_TRACES_EXPORTER', EXPORTER_NAMES, fromEnv);
  }
  if (isObject(option) && typeof option.export === 'function' && typeof option.shutdown === 'function') return option;
  return oneOf('exporter', EXPORTER_NAMES, option);
}

function resolveSampler(option: TracingOptions['sampler']): ResolvedOptions['sampler'] {
  if (option === undefined) {
    const fromEnv = env('OTEL_TRACES_SAMPLER');
    return fromEnv === undefined ? 'parentbased_always_on' : oneOf('OTEL_TRACES_SAMPLER', SAMPLER_NAMES, fromEnv);
  }
  const candidate: unknown = option;
  if (isObject(candidate) && typeof candidate.shouldSample === 'function') return candidate as unknown as Sampler;
  if (isObject(candidate) && 'rules' in candidate) {
    const { rules } = candidate;
    if (typeof rules === 'string' || isObject(rules)) return { rules: rules as XRaySamplingRules | string };
    return fail('sampler.rules', 'a rules document or the path of a JSON file', rules);
  }
  return oneOf('sampler', SAMPLER_NAMES, option);
}

function resolveRatio(option: number | undefined, readsArg: boolean): number {
  if (option !== undefined && typeof option !== 'number') fail('samplerArg', 'a number from 0 to 1', option);
  // Other samplers never read the ratio: a value meant for another set-up must not stop tracing.
  const raw = option ?? (readsArg ? env('OTEL_TRACES_SAMPLER_ARG') : undefined);
  if (raw === undefined) return 1;
  const ratio = typeof raw === 'number' ? raw : Number(raw);
  if (Number.isFinite(ratio) && ratio >= 0 && ratio <= 1) return ratio;
  return fail(option === undefined ? 'OTEL_TRACES_SAMPLER_ARG' : 'samplerArg', 'a number from 0 to 1', raw);
}

function resolvePropagators(option: PropagatorName[] | undefined): PropagatorName[] {
  if (option !== undefined) {
    if (!Array.isArray(option)) fail('propagators', `an array of ${PROPAGATOR_NAMES.join(', ')}`, option);
    return option.map((name) => oneOf('propagators[]', PROPAGATOR_NAMES, name));
  }
  const fromEnv = env('OTEL_PROPAGATORS');
  if (fromEnv === undefined) return [...DEFAULT_PROPAGATORS];
  return fromEnv.split(',').map((name) => oneOf('OTEL_PROPAGATORS', PROPAGATOR_NAMES, name.trim()));
}

function resolveRedactQueryKeys(option: unknown): SensitiveQueryKeys {
  if (option !== undefined) {
    if (!Array.isArray(option) || !option.every((key) => typeof key === 'string' && key.trim() !== '')) {
      return fail('redactQueryKeys', 'an array of query parameter names', option);
    }
    return sensitiveQueryKeys(option.map((key: string) => key.trim()));
  }
  const fromEnv = env(REDACT_QUERY_KEYS_ENV);
  const keys = fromEnv === undefined ? [] : fromEnv.split(',').map((key) => key.trim()).filter((key) => key !== '');
  return sensitiveQueryKeys(keys);
}

function resolveResourceAttributes(option: unknown): ResolvedOptions['resourceAttributes'] {
  if (option === undefined) return {};
  if (!isObject(option) || Array.isArray(option)) return fail('resourceAttributes', 'an object of string, number or boolean values', option);
  for (const [key, value] of Object.entries(option)) {
    const type = typeof value;
    if (type !== 'string' && type !== 'boolean' && !(type === 'number' && Number.isFinite(value))) {
      fail(`resourceAttributes[${JSON.stringify(key)}]`, 'a string, finite number or boolean', value);
    }
  }
  return option as ResolvedOptions['resourceAttributes'];
}

function resolveBoolean(what: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value === 'boolean') return value;
  return fail(what, 'true or false', value);
}

function resolveString(what: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  return fail(what, 'a non-empty string', value);
}

/** Applies defaults and environment variables; throws a TypeError naming any bad option. */
export function resolveOptions(options: TracingOptions = {}): ResolvedOptions {
  const given: unknown = options;
  if (!isObject(given) || Array.isArray(given)) fail('startTracing options', 'an object', given);
  rejectUnknownKeys('startTracing option', given, OPTION_NAMES);
  const resourceAttributes = resolveResourceAttributes(options.resourceAttributes);
  const sampler = resolveSampler(options.sampler);
  return {
    serviceName: resolveString('serviceName', options.serviceName) ?? env('OTEL_SERVICE_NAME'),
    exporter: resolveExporter(options.exporter),
    endpoint: resolveString('endpoint', options.endpoint),
    sampler,
    // For 'xray' and { rules } OTEL_TRACES_SAMPLER_ARG is not a ratio (see sampling/xray-arg.ts).
    samplerArg: sampler === 'xray' || (typeof sampler === 'object' && 'rules' in sampler) ? 1 : resolveRatio(options.samplerArg, RATIO_SAMPLERS.includes(sampler)),
    propagators: resolvePropagators(options.propagators),
    outbound: resolveBoolean('outbound', options.outbound, true),
    outboundRootSpans: resolveBoolean('outboundRootSpans', options.outboundRootSpans, false),
    redactQueryKeys: resolveRedactQueryKeys(options.redactQueryKeys),
    resourceAttributes,
    flushOnSigterm: resolveBoolean('flushOnSigterm', options.flushOnSigterm, true),
  };
}
