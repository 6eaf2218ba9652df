import type { Attributes } from '@opentelemetry/api';

/*
 * The resource names X-Ray shows for an AWS call (table, bucket, queue, topic, …), read from
 * the command input, under the OTel semantic-convention attribute names.
 */

type Input = Record<string, unknown>;

const str = (value: unknown): value is string => typeof value === 'string' && value !== '';

/** The last `/` or `:` separated part of a URL or ARN: a queue, topic or function name. */
function lastPart(value: string): string {
  const cut = Math.max(value.lastIndexOf('/'), value.lastIndexOf(':'));
  return cut < 0 ? value : value.slice(cut + 1);
}

function dynamoDbTables(input: Input): string[] | undefined {
  if (str(input.TableName)) return [input.TableName];
  const tables = new Set<string>();
  if (typeof input.RequestItems === 'object' && input.RequestItems !== null) {
    for (const name of Object.keys(input.RequestItems)) tables.add(name);
  }
  if (Array.isArray(input.TransactItems)) {
    for (const item of input.TransactItems as Array<Record<string, { TableName?: unknown } | undefined>>) {
      for (const action of Object.values(item ?? {})) if (str(action?.TableName)) tables.add(action.TableName);
    }
  }
  return tables.size === 0 ? undefined : [...tables];
}

function dynamoDb(input: Input, attributes: Attributes): void {
  const tables = dynamoDbTables(input);
  if (tables !== undefined) attributes['aws.dynamodb.table_names'] = tables;
  if (str(input.IndexName)) attributes['aws.dynamodb.index_name'] = input.IndexName;
}

function s3(input: Input, attributes: Attributes): void {
  if (str(input.Bucket)) attributes['aws.s3.bucket'] = input.Bucket;
  if (str(input.Key)) attributes['aws.s3.key'] = input.Key;
}

function sqs(input: Input, attributes: Attributes): void {
  attributes['messaging.system'] = 'aws_sqs';
  if (str(input.QueueUrl)) {
    attributes['aws.sqs.queue_url'] = input.QueueUrl;
    attributes['aws.sqs.queue.url'] = input.QueueUrl;
    attributes['messaging.destination.name'] = lastPart(input.QueueUrl);
  } else if (str(input.QueueName)) {
    attributes['messaging.destination.name'] = input.QueueName;
  }
}

function sns(input: Input, attributes: Attributes): void {
  attributes['messaging.system'] = 'aws_sns';
  const arn = str(input.TopicArn) ? input.TopicArn : str(input.TargetArn) ? input.TargetArn : undefined;
  if (arn !== undefined) {
    attributes['aws.sns.topic.arn'] = arn;
    attributes['messaging.destination.name'] = lastPart(arn);
  }
}

function lambda(input: Input, attributes: Attributes): void {
  if (str(input.FunctionName)) {
    attributes['faas.invoked_name'] = lastPart(input.FunctionName);
    attributes['faas.invoked_provider'] = 'aws';
  }
}

function kinesis(input: Input, attributes: Attributes): void {
  if (str(input.StreamName)) attributes['aws.kinesis.stream_name'] = input.StreamName;
  else if (str(input.StreamARN)) attributes['aws.kinesis.stream_name'] = lastPart(input.StreamARN);
}

function stepFunctions(input: Input, attributes: Attributes): void {
  if (str(input.stateMachineArn)) attributes['aws.step_functions.state_machine.arn'] = input.stateMachineArn;
  if (str(input.activityArn)) attributes['aws.step_functions.activity.arn'] = input.activityArn;
}

function secretsManager(input: Input, attributes: Attributes): void {
  if (str(input.SecretId) && input.SecretId.startsWith('arn:')) attributes['aws.secretsmanager.secret.arn'] = input.SecretId;
}

/** By `rpc.service`, the client's name without `Client`. */
const BY_SERVICE: Record<string, (input: Input, attributes: Attributes) => void> = {
  DynamoDB: dynamoDb,
  S3: s3,
  SQS: sqs,
  SNS: sns,
  Lambda: lambda,
  Kinesis: kinesis,
  SFN: stepFunctions,
  SecretsManager: secretsManager,
};

/** Adds the resource attributes of a call to `service` with `input`. Never throws. */
export function addResourceAttributes(service: string, input: unknown, attributes: Attributes): void {
  const add = BY_SERVICE[service];
  if (add === undefined || typeof input !== 'object' || input === null) return;
  try {
    add(input as Input, attributes);
  } catch {
    // An odd input shape loses the resource names, never the call.
  }
}
