import type { AwsBlock, Attributes } from './types.js';

/** Span attributes the `aws` block takes over (left out of the metadata). */
export const AWS_ATTRIBUTES: ReadonlySet<string> = new Set([
  'rpc.method', 'aws.operation', 'aws.account_id', 'aws.region', 'aws.request_id', 'aws.requestId',
  'aws.queue_url', 'aws.queue.url', 'aws.sqs.queue_url', 'aws.sqs.queue.url', 'aws.table_name', 'aws.table.name',
  'http.request.resend_count',
]);

const ORIGINS: Readonly<Record<string, string>> = {
  aws_app_runner: 'AWS::AppRunner::Service',
  aws_eks: 'AWS::EKS::Container',
  aws_elastic_beanstalk: 'AWS::ElasticBeanstalk::Environment',
  aws_ec2: 'AWS::EC2::Instance',
};

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined);

/** `origin` from `cloud.platform` (and `aws.ecs.launchtype`), as the resource detectors set them. */
export function originOf(resource: Attributes): string | undefined {
  const provider = text(resource['cloud.provider']);
  if (provider !== undefined && provider !== 'aws') return undefined;
  const platform = text(resource['cloud.platform']);
  if (platform === 'aws_ecs') {
    const launchType = text(resource['aws.ecs.launchtype']);
    if (launchType === 'ec2') return 'AWS::ECS::EC2';
    if (launchType === 'fargate') return 'AWS::ECS::Fargate';
    return 'AWS::ECS::Container';
  }
  return platform === undefined ? undefined : ORIGINS[platform];
}

/** The segment's `service` block: `service.version`, else the container image tag. */
export function serviceOf(resource: Attributes): { version: string } | undefined {
  const version = text(resource['service.version']) ?? text(resource['container.image.tag']);
  return version === undefined ? undefined : { version };
}

/** Drops undefined members so the document stays small. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

function logGroups(resource: Attributes): AwsBlock['cloudwatch_logs'] {
  const list = (value: unknown): string[] =>
    Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : typeof value === 'string' ? value.split('&').filter(Boolean) : [];
  const arns = list(resource['aws.log.group.arns']);
  if (arns.length > 0) return arns.map((arn) => ({ log_group: arn.split(':')[6] ?? arn, arn }));
  const names = list(resource['aws.log.group.names']);
  return names.length > 0 ? names.map((name) => ({ log_group: name })) : undefined;
}

/**
 * The segment's `aws` block: where the service runs (EC2, ECS, EKS, Elastic Beanstalk, from the
 * resource) and, for AWS SDK calls, the operation, region, request id, queue and table.
 * Undefined when the resource names another cloud.
 */
export function makeAws(attributes: Attributes, resource: Attributes): AwsBlock | undefined {
  const provider = text(resource['cloud.provider']);
  if (provider !== undefined && provider !== 'aws') return undefined;
  const platform = text(resource['cloud.platform']);
  const zone = text(resource['cloud.availability_zone']);
  const hostId = text(resource['host.id']);
  const containerId = text(resource['container.id']);
  const clusterName = text(resource['k8s.cluster.name']);
  const block: AwsBlock = {
    account_id: text(attributes['aws.account_id']) ?? text(resource['cloud.account.id']),
    operation: text(attributes['aws.operation']) ?? text(attributes['rpc.method']),
    region: text(attributes['aws.region']),
    request_id: text(attributes['aws.request_id']) ?? text(attributes['aws.requestId']),
    // traceAwsClient counts re-sent attempts with the stable HTTP attribute; X-Ray calls them retries.
    retries: count(attributes['http.request.resend_count']),
    queue_url:
      text(attributes['messaging.url']) ??
      text(attributes['aws.queue_url']) ??
      text(attributes['aws.queue.url']) ??
      text(attributes['aws.sqs.queue_url']) ??
      text(attributes['aws.sqs.queue.url']),
    table_name: text(attributes['aws.table_name']) ?? text(attributes['aws.table.name']),
  };
  const tables = attributes['aws.dynamodb.table_names'];
  if (Array.isArray(tables) && tables.length === 1 && typeof tables[0] === 'string') block.table_name = tables[0];
  else if (Array.isArray(tables) && tables.length > 1) {
    block.table_name = undefined;
    block.table_names = tables.filter((table): table is string => typeof table === 'string');
  } else if (typeof tables === 'string') block.table_name = tables;

  if (platform === 'aws_ec2' || hostId !== undefined) {
    block.ec2 = compact({ instance_id: hostId, availability_zone: zone, instance_size: text(resource['host.type']), ami_id: text(resource['host.image.id']) });
  }
  if (platform === 'aws_ecs') {
    block.ecs = compact({
      container: text(resource['container.name']),
      container_id: containerId,
      availability_zone: zone,
      container_arn: text(resource['aws.ecs.container.arn']),
      cluster_arn: text(resource['aws.ecs.cluster.arn']),
      task_arn: text(resource['aws.ecs.task.arn']),
      task_family: text(resource['aws.ecs.task.family']),
      launch_type: text(resource['aws.ecs.launchtype']),
    }) as Record<string, string>;
  }
  const deployment = text(resource['service.instance.id']);
  if (platform === 'aws_elastic_beanstalk' && deployment !== undefined) {
    const id = Number.parseInt(deployment, 10);
    block.elastic_beanstalk = compact({
      environment_name: text(resource['service.namespace']),
      version_label: text(resource['service.version']),
      deployment_id: Number.isNaN(id) ? 0 : id,
    });
  }
  if (platform === 'aws_eks' || clusterName !== undefined) {
    block.eks = compact({ cluster_name: clusterName, pod: text(resource['k8s.pod.name']), container_id: containerId });
  }
  block.cloudwatch_logs = logGroups(resource);
  const sdkName = text(resource['telemetry.sdk.name']);
  const sdkLanguage = text(resource['telemetry.sdk.language']);
  block.xray = compact({
    sdk: sdkName !== undefined && sdkLanguage !== undefined ? `${sdkName} for ${sdkLanguage}` : sdkName,
    sdk_version: text(resource['telemetry.sdk.version']),
    auto_instrumentation: text(resource['telemetry.auto.version']) !== undefined || text(resource['telemetry.distro.version']) !== undefined,
  });
  return compact(block);
}
