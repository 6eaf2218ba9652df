import { nonEmptyString } from '../../common/index.js';
import { xrayOrigin } from '../../xray/origins.js';
import type { AwsBlock, Attributes } from './types.js';

/** Span attributes the `aws` block takes over (left out of the metadata). */
export const AWS_ATTRIBUTES: ReadonlySet<string> = new Set([
  'rpc.method', 'aws.operation', 'aws.account_id', 'aws.region', 'aws.request_id', 'aws.requestId',
  'aws.queue_url', 'aws.queue.url', 'aws.sqs.queue_url', 'aws.sqs.queue.url', 'aws.table_name', 'aws.table.name',
  'http.request.resend_count',
]);

const count = (value: unknown): number | undefined => (typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined);

/** `origin` from the resource. The collector sets none on Lambda, whose service writes the function's own segment. */
export function originOf(resource: Attributes): string | undefined {
  return resource['cloud.platform'] === 'aws_lambda' ? undefined : xrayOrigin(resource);
}

/** The segment's `service` block: `service.version`, else the container image tag. */
export function serviceOf(resource: Attributes): { version: string } | undefined {
  const version = nonEmptyString(resource['service.version']) ?? nonEmptyString(resource['container.image.tag']);
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
  const provider = nonEmptyString(resource['cloud.provider']);
  if (provider !== undefined && provider !== 'aws') return undefined;
  const platform = nonEmptyString(resource['cloud.platform']);
  const zone = nonEmptyString(resource['cloud.availability_zone']);
  const hostId = nonEmptyString(resource['host.id']);
  const containerId = nonEmptyString(resource['container.id']);
  const clusterName = nonEmptyString(resource['k8s.cluster.name']);
  const block: AwsBlock = {
    account_id: nonEmptyString(attributes['aws.account_id']) ?? nonEmptyString(resource['cloud.account.id']),
    operation: nonEmptyString(attributes['aws.operation']) ?? nonEmptyString(attributes['rpc.method']),
    region: nonEmptyString(attributes['aws.region']),
    request_id: nonEmptyString(attributes['aws.request_id']) ?? nonEmptyString(attributes['aws.requestId']),
    // traceAwsClient counts re-sent attempts with the stable HTTP attribute; X-Ray calls them retries.
    retries: count(attributes['http.request.resend_count']),
    queue_url:
      nonEmptyString(attributes['messaging.url']) ??
      nonEmptyString(attributes['aws.queue_url']) ??
      nonEmptyString(attributes['aws.queue.url']) ??
      nonEmptyString(attributes['aws.sqs.queue_url']) ??
      nonEmptyString(attributes['aws.sqs.queue.url']),
    table_name: nonEmptyString(attributes['aws.table_name']) ?? nonEmptyString(attributes['aws.table.name']),
  };
  const tables = attributes['aws.dynamodb.table_names'];
  if (Array.isArray(tables) && tables.length === 1 && typeof tables[0] === 'string') block.table_name = tables[0];
  else if (Array.isArray(tables) && tables.length > 1) {
    block.table_name = undefined;
    block.table_names = tables.filter((table): table is string => typeof table === 'string');
  } else if (typeof tables === 'string') block.table_name = tables;

  if (platform === 'aws_ec2' || hostId !== undefined) {
    block.ec2 = compact({ instance_id: hostId, availability_zone: zone, instance_size: nonEmptyString(resource['host.type']), ami_id: nonEmptyString(resource['host.image.id']) });
  }
  if (platform === 'aws_ecs') {
    block.ecs = compact({
      container: nonEmptyString(resource['container.name']),
      container_id: containerId,
      availability_zone: zone,
      container_arn: nonEmptyString(resource['aws.ecs.container.arn']),
      cluster_arn: nonEmptyString(resource['aws.ecs.cluster.arn']),
      task_arn: nonEmptyString(resource['aws.ecs.task.arn']),
      task_family: nonEmptyString(resource['aws.ecs.task.family']),
      launch_type: nonEmptyString(resource['aws.ecs.launchtype']),
    }) as Record<string, string>;
  }
  const deployment = nonEmptyString(resource['service.instance.id']);
  if (platform === 'aws_elastic_beanstalk' && deployment !== undefined) {
    const id = Number.parseInt(deployment, 10);
    block.elastic_beanstalk = compact({
      environment_name: nonEmptyString(resource['service.namespace']),
      version_label: nonEmptyString(resource['service.version']),
      deployment_id: Number.isNaN(id) ? 0 : id,
    });
  }
  if (platform === 'aws_eks' || clusterName !== undefined) {
    block.eks = compact({ cluster_name: clusterName, pod: nonEmptyString(resource['k8s.pod.name']), container_id: containerId });
  }
  block.cloudwatch_logs = logGroups(resource);
  const sdkName = nonEmptyString(resource['telemetry.sdk.name']);
  const sdkLanguage = nonEmptyString(resource['telemetry.sdk.language']);
  block.xray = compact({
    sdk: sdkName !== undefined && sdkLanguage !== undefined ? `${sdkName} for ${sdkLanguage}` : sdkName,
    sdk_version: nonEmptyString(resource['telemetry.sdk.version']),
    auto_instrumentation: nonEmptyString(resource['telemetry.auto.version']) !== undefined || nonEmptyString(resource['telemetry.distro.version']) !== undefined,
  });
  return compact(block);
}
