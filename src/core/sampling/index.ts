import { AlwaysOffSampler, AlwaysOnSampler, type Sampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { ResolvedOptions } from '../setup/options.js';
import { createResource } from '../setup/resource.js';
import { XRayLocalRulesSampler } from './local-sampler.js';
import { XRayRemoteSampler } from './remote-sampler.js';
import { parseXRaySamplerArg } from './xray-arg.js';
import type { SamplerName, XRaySamplingRules } from '../types.js';
import { XRayParentBasedSampler } from './parent-based.js';
import { serviceOfResource } from './service-facts.js';

export { XRayLocalRulesSampler } from './local-sampler.js';
export { XRayRemoteSampler, type XRayRemoteSamplerOptions } from './remote-sampler.js';
export { XRayParentBasedSampler } from './parent-based.js';
export { type WildcardMatcher, compileWildcard } from './wildcard.js';

/**
 * Local rules (a document or a JSON file), parent-based. Throws a TypeError naming what is wrong.
 *
 * @example
 * const sampler = createRulesSampler({ version: 2, default: { fixed_target: 1, rate: 0.05 } });
 */
export function createRulesSampler(rules: XRaySamplingRules | string): Sampler {
  return new XRayParentBasedSampler(new XRayLocalRulesSampler(rules));
}

/**
 * `xray`: centralized rules through the sampling proxy, configured by `OTEL_TRACES_SAMPLER_ARG`
 * (`endpoint=…,polling_interval=…`; else the proxy is the daemon `AWS_XRAY_DAEMON_ADDRESS`
 * names), or local rules when it says `rules=<file>`. Parent-based.
 */
function createXRaySampler(options: ResolvedOptions | undefined): Sampler {
  const arg = parseXRaySamplerArg(process.env.OTEL_TRACES_SAMPLER_ARG);
  if (arg.rules !== undefined) return createRulesSampler(arg.rules);
  const service = options === undefined ? undefined : serviceOfResource(createResource(options));
  const remote = new XRayRemoteSampler({
    endpoint: arg.endpoint,
    pollingInterval: arg.pollingInterval,
    serviceName: service?.name,
    serviceType: service?.type,
  });
  return new XRayParentBasedSampler(remote);
}

/** The sampler for a name from the `sampler` option or `OTEL_TRACES_SAMPLER`. */
export function createNamedSampler(name: SamplerName, ratio: number, options?: ResolvedOptions): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio);
    case 'parentbased_always_on':
      return new XRayParentBasedSampler(new AlwaysOnSampler());
    case 'parentbased_always_off':
      return new XRayParentBasedSampler(new AlwaysOffSampler());
    case 'parentbased_traceidratio':
      return new XRayParentBasedSampler(new TraceIdRatioBasedSampler(ratio));
    case 'xray':
      return createXRaySampler(options);
  }
}

/**
 * The sampler the resolved `sampler` option names: the OTel samplers by name, `'xray'`
 * (centralized rules), `{ rules }` (local rules) or the app's own Sampler. Throws a TypeError
 * for a bad rules document or `OTEL_TRACES_SAMPLER_ARG`.
 *
 * @example
 * const sampler = createSampler(resolveOptions({ sampler: { rules: './sampling-rules.json' } }));
 */
export function createSampler(options: ResolvedOptions): Sampler {
  const { sampler } = options;
  if (typeof sampler === 'string') return createNamedSampler(sampler, options.samplerArg, options);
  // The X-Ray samplers given as instances are made parent-based too, like 'xray' and { rules }.
  if (sampler instanceof XRayRemoteSampler || sampler instanceof XRayLocalRulesSampler) return new XRayParentBasedSampler(sampler);
  if ('shouldSample' in sampler) return sampler;
  return createRulesSampler(sampler.rules);
}

/**
 * Stops whatever the sampler runs in the background (the centralized sampler's polling).
 *
 * @example
 * stopSampler(sampler); // on shutdown
 */
export function stopSampler(sampler: Sampler): void {
  let inner: unknown = sampler;
  if (inner instanceof XRayParentBasedSampler) inner = inner.root;
  if (inner instanceof XRayRemoteSampler) inner.shutdown();
}

/**
 * Runs `create` (the tracer provider's constructor) with `OTEL_TRACES_SAMPLER=xray` hidden:
 * the SDK parses that variable for a default sampler it never uses here (ours is passed in)
 * and would log `xray` as an invalid value.
 *
 * @example
 * const provider = hidingXRaySamplerEnv(() => new NodeTracerProvider({ sampler }));
 */
export function hidingXRaySamplerEnv<T>(create: () => T): T {
  const value = process.env.OTEL_TRACES_SAMPLER;
  if (value?.trim() !== 'xray') return create();
  delete process.env.OTEL_TRACES_SAMPLER;
  try {
    return create();
  } finally {
    process.env.OTEL_TRACES_SAMPLER = value;
  }
}
