import { nonEmptyString } from '../common/index.js';

/**
 * X-Ray's origin names (a segment's `origin`, a sampling rule's `ServiceType`) for the OTel
 * `cloud.platform` values the AWS resource detectors set.
 */
const ORIGINS: Readonly<Record<string, string>> = {
  aws_app_runner: 'AWS::AppRunner::Service',
  aws_ec2: 'AWS::EC2::Instance',
  aws_eks: 'AWS::EKS::Container',
  aws_elastic_beanstalk: 'AWS::ElasticBeanstalk::Environment',
  aws_lambda: 'AWS::Lambda::Function',
};

/**
 * The X-Ray origin of a resource: `cloud.platform`, refined by `aws.ecs.launchtype` on ECS as
 * the collector's awsxray exporter does. Undefined off AWS or on an unknown platform.
 *
 * @example
 * xrayOrigin({ 'cloud.provider': 'aws', 'cloud.platform': 'aws_ecs', 'aws.ecs.launchtype': 'fargate' }); // 'AWS::ECS::Fargate'
 */
export function xrayOrigin(resource: Readonly<Record<string, unknown>>): string | undefined {
  const provider = nonEmptyString(resource['cloud.provider']);
  if (provider !== undefined && provider !== 'aws') return undefined;
  const platform = nonEmptyString(resource['cloud.platform']);
  if (platform === 'aws_ecs') {
    const launchType = nonEmptyString(resource['aws.ecs.launchtype']);
    if (launchType === 'ec2') return 'AWS::ECS::EC2';
    if (launchType === 'fargate') return 'AWS::ECS::Fargate';
    return 'AWS::ECS::Container';
  }
  return platform === undefined ? undefined : ORIGINS[platform];
}
