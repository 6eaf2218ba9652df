// Resource attributes from the AWS detectors: each runs only where its platform shows, EC2 only
// on request, and none of them holds up the first requests.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { SpanKind, trace } from '@opentelemetry/api';
import { ECS_CONTAINER, ECS_TASK, IDENTITY_DOCUMENT, metadataServer, routeLinkLocalTo } from './support/aws-metadata.mjs';
import { expressApp } from './support/front-end-apps.mjs';
import { LAMBDA_ENV } from './support/lambda-events.mjs';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const AWS_ENV_NAMES = [
  ...Object.keys(LAMBDA_ENV),
  'ECS_CONTAINER_METADATA_URI',
  'ECS_CONTAINER_METADATA_URI_V4',
  'OTEL_NODE_RESOURCE_DETECTORS',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
];

let imds;
let ecs;
let unrouteLinkLocal;
before(async () => {
  imds = await metadataServer({
    'PUT /latest/api/token': 'AQAEAFTNrA4eEGx0AQgJ1arIq_Cc-t4tWt3fB0Hd8RKhXlKc5ccvhg==',
    'GET /latest/dynamic/instance-identity/document': IDENTITY_DOCUMENT,
    'GET /latest/meta-data/hostname': 'ip-10-158-112-84.us-west-2.compute.internal',
  });
  unrouteLinkLocal = routeLinkLocalTo(imds.port);
  ecs = await metadataServer({ 'GET /v4/orders': ECS_CONTAINER, 'GET /v4/orders/task': ECS_TASK });
});
after(async () => {
  unrouteLinkLocal();
  await Promise.all([imds.close(), ecs.close()]);
});

/** Starts tracing in `env` (other AWS signals cleared), ends one span and returns its settled resource attributes. */
async function detectedAttributes(env) {
  for (const name of AWS_ENV_NAMES) delete process.env[name];
  Object.assign(process.env, env);
  const memory = startMemoryTracing();
  try {
    trace.getTracer('resource-test').startSpan('probe').end();
    const [span] = await memory.spans(1);
    await span.resource.waitForAsyncAttributes?.();
    return span.resource.attributes;
  } finally {
    await memory.tracing.shutdown();
    for (const name of AWS_ENV_NAMES) delete process.env[name];
  }
}

describe('AWS resource detection', () => {
  it('off AWS: no AWS attributes, and the EC2 metadata service is never asked', async () => {
    const before = imds.requests.length;
    const attributes = await detectedAttributes({});
    assert.equal(attributes['cloud.provider'], undefined);
    assert.equal(attributes['cloud.platform'], undefined);
    assert.equal(imds.requests.length, before, 'no request to 169.254.169.254');
  });

  it('on Lambda: cloud and faas attributes from the Lambda environment', async () => {
    const before = imds.requests.length;
    const attributes = await detectedAttributes(LAMBDA_ENV);
    assert.equal(attributes['cloud.provider'], 'aws');
    assert.equal(attributes['cloud.platform'], 'aws_lambda');
    assert.equal(attributes['cloud.region'], 'us-east-2');
    assert.equal(attributes['faas.name'], 'orders-api');
    assert.equal(attributes['faas.version'], '$LATEST');
    assert.equal(attributes['faas.max_memory'], 512 * 1024 * 1024);
    assert.equal(attributes['faas.instance'], LAMBDA_ENV.AWS_LAMBDA_LOG_STREAM_NAME);
    assert.deepEqual(attributes['aws.log.group.names'], ['/aws/lambda/orders-api']);
    assert.equal(imds.requests.length, before, 'no request to 169.254.169.254');
  });

  it('the Lambda detector gives what the resource-detector-aws package gives, SnapStart included', async () => {
    const { lambdaDetector } = await import('../dist/esm/core/setup/lambda-detector.js');
    const { awsLambdaDetector } = await import('@opentelemetry/resource-detector-aws');
    const snapStart = Object.fromEntries(Object.entries(LAMBDA_ENV).filter(([name]) => !name.startsWith('AWS_LAMBDA_LOG_')));
    for (const env of [LAMBDA_ENV, snapStart, {}, { AWS_EXECUTION_ENV: 'AWS_ECS_FARGATE' }]) {
      for (const name of AWS_ENV_NAMES) delete process.env[name];
      Object.assign(process.env, env);
      try {
        assert.deepEqual(lambdaDetector.detect(), awsLambdaDetector.detect(), JSON.stringify(env));
      } finally {
        for (const name of AWS_ENV_NAMES) delete process.env[name];
      }
    }
  });

  it('OTEL_RESOURCE_ATTRIBUTES overrides what a detector found', async () => {
    const attributes = await detectedAttributes({ ...LAMBDA_ENV, OTEL_RESOURCE_ATTRIBUTES: 'cloud.region=eu-west-1,team=orders' });
    assert.equal(attributes['cloud.region'], 'eu-west-1');
    assert.equal(attributes.team, 'orders');
    assert.equal(attributes['faas.name'], 'orders-api');
  });

  it('OTEL_NODE_RESOURCE_DETECTORS=none turns the AWS detectors off', async () => {
    const attributes = await detectedAttributes({ ...LAMBDA_ENV, OTEL_NODE_RESOURCE_DETECTORS: 'none' });
    assert.equal(attributes['faas.name'], undefined);
    assert.equal(attributes['cloud.platform'], undefined);
  });

  it('OTEL_NODE_RESOURCE_DETECTORS=env,ec2 opts in to EC2: instance attributes from the metadata service', async () => {
    const before = imds.requests.length;
    const attributes = await detectedAttributes({ OTEL_NODE_RESOURCE_DETECTORS: 'env,ec2' });
    assert.deepEqual(imds.requests.slice(before), [
      'PUT /latest/api/token',
      'GET /latest/dynamic/instance-identity/document',
      'GET /latest/meta-data/hostname',
    ]);
    assert.equal(attributes['cloud.platform'], 'aws_ec2');
    assert.equal(attributes['host.id'], 'i-1234567890abcdef0');
    assert.equal(attributes['host.type'], 't2.micro');
    assert.equal(attributes['cloud.availability_zone'], 'us-west-2b');
    assert.equal(attributes['cloud.account.id'], '123456789012');
  });

  it('OTEL_NODE_RESOURCE_DETECTORS=aws includes EC2 as well', async () => {
    const before = imds.requests.length;
    const attributes = await detectedAttributes({ OTEL_NODE_RESOURCE_DETECTORS: 'aws' });
    assert.ok(imds.requests.length > before);
    assert.equal(attributes['host.id'], 'i-1234567890abcdef0');
  });

  it('OTEL_NODE_RESOURCE_DETECTORS=lambda without a Lambda environment detects nothing', async () => {
    const attributes = await detectedAttributes({ OTEL_NODE_RESOURCE_DETECTORS: 'lambda' });
    assert.equal(attributes['cloud.platform'], undefined);
  });

  it('on ECS: task and container attributes from the task metadata endpoint', async () => {
    const before = imds.requests.length;
    const attributes = await detectedAttributes({ ECS_CONTAINER_METADATA_URI_V4: `${ecs.url}/v4/orders` });
    assert.equal(attributes['cloud.platform'], 'aws_ecs');
    assert.equal(attributes['aws.ecs.task.arn'], ECS_TASK.TaskARN);
    assert.equal(attributes['aws.ecs.task.family'], 'orders');
    assert.equal(attributes['aws.ecs.launchtype'], 'fargate');
    assert.equal(attributes['aws.ecs.container.arn'], ECS_CONTAINER.ContainerARN);
    assert.deepEqual(attributes['aws.log.group.names'], ['/ecs/orders']);
    assert.equal(imds.requests.length, before, 'no request to 169.254.169.254');
  });

  it('asks the metadata endpoint once, though the X-Ray sampler reads the resource too', async () => {
    const before = ecs.requests.length;
    const attributes = await detectedAttributes({
      ECS_CONTAINER_METADATA_URI_V4: `${ecs.url}/v4/orders`,
      OTEL_TRACES_SAMPLER: 'xray',
      // The sampling proxy: the local metadata server, which answers 404 (the sampler falls back to its default rule).
      OTEL_TRACES_SAMPLER_ARG: `endpoint=${ecs.url}`,
    });
    assert.equal(attributes['aws.ecs.task.arn'], ECS_TASK.TaskARN);
    assert.deepEqual(
      ecs.requests.slice(before).filter((request) => request.startsWith('GET /v4/')),
      ['GET /v4/orders', 'GET /v4/orders/task'],
    );
  });

  it('the first request does not wait for a slow metadata endpoint; its span carries the attributes', async () => {
    for (const name of AWS_ENV_NAMES) delete process.env[name];
    process.env.ECS_CONTAINER_METADATA_URI_V4 = `${ecs.url}/v4/orders`;
    ecs.hold();
    const memory = startMemoryTracing();
    const server = await listen(createServer(expressApp()));
    try {
      const response = await fetch(`${server.url}/orders/1`);
      assert.equal(response.status, 200, 'answered while the ECS metadata is still unanswered');
      assert.equal((await response.json()).id, '1');
      ecs.release();
      const spans = await memory.spans(1);
      const serverSpan = spans.find((s) => s.kind === SpanKind.SERVER);
      assert.equal(serverSpan.resource.attributes['aws.ecs.task.arn'], ECS_TASK.TaskARN);
    } finally {
      ecs.release();
      await server.close();
      await memory.tracing.shutdown();
      delete process.env.ECS_CONTAINER_METADATA_URI_V4;
    }
  });
});
