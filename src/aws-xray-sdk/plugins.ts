import { getState } from '../core/index.js';
import { getLogger } from './logger.js';

/*
 * aws-xray-sdk's plugins record where the service runs. Here the AWS resource detectors do
 * that (origin and the aws.ec2/ecs/elastic_beanstalk blocks): `config` picks which ones run,
 * through OTEL_NODE_RESOURCE_DETECTORS, the variable otel-xray's resource setup reads.
 */

export interface Plugin {
  readonly name: string;
  /** The detector name OTEL_NODE_RESOURCE_DETECTORS takes. */
  readonly detector: 'ec2' | 'ecs' | 'beanstalk';
}

export const plugins: Readonly<Record<'EC2Plugin' | 'ECSPlugin' | 'ElasticBeanstalkPlugin', Plugin>> = Object.freeze({
  EC2Plugin: Object.freeze({ name: 'EC2Plugin', detector: 'ec2' }),
  ECSPlugin: Object.freeze({ name: 'ECSPlugin', detector: 'ecs' }),
  ElasticBeanstalkPlugin: Object.freeze({ name: 'ElasticBeanstalkPlugin', detector: 'beanstalk' }),
});

const KNOWN: ReadonlySet<Plugin> = new Set(Object.values(plugins));

/**
 * `config([plugins.EC2Plugin, …])`: runs those AWS resource detectors when tracing starts.
 * OTEL_NODE_RESOURCE_DETECTORS, when the app sets it, wins.
 */
export function config(chosen: Plugin[]): void {
  if (!Array.isArray(chosen)) throw new TypeError('otel-xray/aws-xray-sdk: config takes an array of plugins, e.g. config([AWSXRay.plugins.EC2Plugin])');
  for (const plugin of chosen) {
    if (!KNOWN.has(plugin)) throw new TypeError(`otel-xray/aws-xray-sdk: config: unknown plugin ${String((plugin as Partial<Plugin> | null)?.name ?? plugin)}; use AWSXRay.plugins.EC2Plugin, ECSPlugin or ElasticBeanstalkPlugin`);
  }
  const state = getState();
  if (state !== undefined && state.kind !== 'off') {
    getLogger().warn('config(plugins) ignored: tracing has already started; make this call before the first request');
    return;
  }
  if (process.env.OTEL_NODE_RESOURCE_DETECTORS) {
    getLogger().warn('config(plugins) ignored: OTEL_NODE_RESOURCE_DETECTORS is set and picks the resource detectors');
    return;
  }
  if (chosen.length > 0) process.env.OTEL_NODE_RESOURCE_DETECTORS = [...new Set(chosen.map((plugin) => plugin.detector))].join(',');
}
