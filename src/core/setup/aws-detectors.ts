import { diag } from '@opentelemetry/api';
import type { DetectedResourceAttributes, ResourceDetector } from '@opentelemetry/resources';
import { existsSync } from 'node:fs';
import { lambdaDetector } from './lambda-detector.js';

/** Files whose presence says "running on EKS" / "running on Elastic Beanstalk" (the detectors read them). */
const EKS_TOKEN_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/token';
const BEANSTALK_CONFIG_FILE =
  process.platform === 'win32' ? 'C:\\Program Files\\Amazon\\XRay\\environment.conf' : '/var/elasticbeanstalk/xray/environment.conf';

type AwsDetectorName = 'lambda' | 'ecs' | 'eks' | 'beanstalk' | 'ec2';

/** `OTEL_NODE_RESOURCE_DETECTORS` names this package acts on; other standard names (host, os, …) are ignored. */
const SELECTIONS: Record<string, readonly AwsDetectorName[]> = {
  all: ['lambda', 'ecs', 'eks', 'beanstalk', 'ec2'],
  aws: ['lambda', 'ecs', 'eks', 'beanstalk', 'ec2'],
  lambda: ['lambda'],
  ecs: ['ecs'],
  eks: ['eks'],
  beanstalk: ['beanstalk'],
  ec2: ['ec2'],
  none: [],
};
const OTHER_STANDARD_NAMES = new Set(['env', 'host', 'os', 'process', 'serviceinstance', 'container', 'alibaba', 'azure', 'gcp']);
const DEFAULT_SELECTION: readonly AwsDetectorName[] = ['lambda', 'ecs', 'eks', 'beanstalk'];

type AwsDetectorModule = typeof import('@opentelemetry/resource-detector-aws');

/**
 * A detector of `@opentelemetry/resource-detector-aws` that loads the package on its first
 * detect. That package loads node:https (and with it TLS) at require time, about a third of
 * the start-up cost, for platforms that are mostly absent. These detectors give every
 * attribute as a promise of a fixed key anyway, so the stand-in gives the same keys, each
 * settling to the package detector's value.
 */
function lazyDetector(pick: (module: AwsDetectorModule) => ResourceDetector, keys: readonly string[]): ResourceDetector {
  return {
    detect() {
      const detected = import('@opentelemetry/resource-detector-aws').then((module) => pick(module).detect().attributes ?? {});
      const attributes: DetectedResourceAttributes = {};
      for (const key of keys) attributes[key] = detected.then((values) => values[key], () => undefined);
      return { attributes };
    },
  };
}

const DETECTORS: Record<AwsDetectorName, ResourceDetector> = {
  lambda: lambdaDetector,
  ecs: lazyDetector(
    (module) => module.awsEcsDetector,
    [
      'cloud.provider',
      'cloud.platform',
      'container.name',
      'container.id',
      'aws.ecs.container.arn',
      'aws.ecs.cluster.arn',
      'aws.ecs.launchtype',
      'aws.ecs.task.arn',
      'aws.ecs.task.family',
      'aws.ecs.task.revision',
      'cloud.account.id',
      'cloud.region',
      'cloud.resource_id',
      'cloud.availability_zone',
      'aws.log.group.names',
      'aws.log.group.arns',
      'aws.log.stream.names',
      'aws.log.stream.arns',
    ],
  ),
  eks: lazyDetector((module) => module.awsEksDetector, ['cloud.provider', 'cloud.platform', 'k8s.cluster.name', 'container.id']),
  beanstalk: lazyDetector(
    (module) => module.awsBeanstalkDetector,
    ['cloud.provider', 'cloud.platform', 'service.name', 'service.namespace', 'service.version', 'service.instance.id'],
  ),
  ec2: lazyDetector(
    (module) => module.awsEc2Detector,
    ['cloud.provider', 'cloud.platform', 'cloud.account.id', 'cloud.region', 'cloud.availability_zone', 'host.id', 'host.type', 'host.name'],
  ),
};

/**
 * Whether the environment shows signs of the platform. EC2 has none short of asking the
 * instance metadata service at 169.254.169.254, a network call that hangs off EC2, so EC2 is
 * only ever detected when the user asks for it.
 */
function hasSignal(name: AwsDetectorName, env: NodeJS.ProcessEnv): boolean {
  switch (name) {
    case 'lambda':
      return Boolean(env.AWS_LAMBDA_FUNCTION_NAME);
    case 'ecs':
      return Boolean(env.ECS_CONTAINER_METADATA_URI_V4 || env.ECS_CONTAINER_METADATA_URI);
    case 'eks':
      return existsSync(EKS_TOKEN_FILE);
    case 'beanstalk':
      return existsSync(BEANSTALK_CONFIG_FILE);
    case 'ec2':
      return true;
  }
}

function selectedNames(value: string | undefined): readonly AwsDetectorName[] {
  if (value === undefined || value.trim() === '') return DEFAULT_SELECTION;
  const selected = new Set<AwsDetectorName>();
  for (const raw of value.split(',')) {
    const name = raw.trim().toLowerCase();
    const names = SELECTIONS[name];
    if (names !== undefined) names.forEach((n) => selected.add(n));
    else if (name !== '' && !OTHER_STANDARD_NAMES.has(name)) diag.warn(`otel-xray: OTEL_NODE_RESOURCE_DETECTORS: unknown detector "${name}" ignored`);
  }
  return [...selected];
}

/**
 * The AWS resource detectors to run. By default each runs only when its environment shows
 * the platform: Lambda (`AWS_LAMBDA_FUNCTION_NAME`), ECS (`ECS_CONTAINER_METADATA_URI[_V4]`),
 * EKS (the service-account token file), Elastic Beanstalk (its X-Ray config file); never EC2.
 * `OTEL_NODE_RESOURCE_DETECTORS` (the OTel Node variable) picks instead: `aws` or `all` for all
 * of them, or `lambda`, `ecs`, `eks`, `beanstalk`, `ec2` one by one (`ec2` opts in to the
 * instance metadata call), `none` for none. Other platforms still need their signal.
 *
 * @example
 * // OTEL_NODE_RESOURCE_DETECTORS=ec2 on an EC2 instance
 * detectResources({ detectors: awsDetectors(process.env) });
 */
export function awsDetectors(env: NodeJS.ProcessEnv): ResourceDetector[] {
  return selectedNames(env.OTEL_NODE_RESOURCE_DETECTORS)
    .filter((name) => hasSignal(name, env))
    .map((name) => DETECTORS[name]);
}
