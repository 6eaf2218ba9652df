// ServiceType rules on a platform the AWS detectors find asynchronously (ECS here, through a
// local task metadata endpoint): the rule matches once the platform is known.
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { ECS_CONTAINER, ECS_TASK, metadataServer } from './support/aws-metadata.mjs';
import { pollUntil, startMemoryTracing } from './support/tracing.mjs';
import { samplingRule, startSamplingProxy } from './support/xray-sampling-proxy.mjs';

const proxy = await startSamplingProxy({
  rules: () => [
    samplingRule({ RuleName: 'OnFargate', Priority: 1, ServiceType: 'AWS::ECS::Fargate', FixedRate: 1, ReservoirSize: 0 }),
    samplingRule({ RuleName: 'OtherService', Priority: 2, ServiceName: 'someone-else', FixedRate: 1, ReservoirSize: 0 }),
    samplingRule({ RuleName: 'Default', Priority: 10000, FixedRate: 0, ReservoirSize: 0 }),
  ],
});
const ecs = await metadataServer({ 'GET /v4/orders': ECS_CONTAINER, 'GET /v4/orders/task': ECS_TASK });

let memory;
let tracer;
before(() => {
  // The task metadata is held: the platform stays unknown until the test releases it.
  ecs.hold();
  process.env.ECS_CONTAINER_METADATA_URI_V4 = `${ecs.url}/v4/orders`;
  process.env.OTEL_TRACES_SAMPLER_ARG = `endpoint=${proxy.url}`;
  memory = startMemoryTracing({ sampler: 'xray', serviceName: 'orders' });
  tracer = trace.getTracer('service-type-test');
});
after(async () => {
  delete process.env.ECS_CONTAINER_METADATA_URI_V4;
  delete process.env.OTEL_TRACES_SAMPLER_ARG;
  ecs.release();
  await memory.tracing.shutdown();
  await Promise.all([proxy.close(), ecs.close()]);
});

function sampled() {
  const span = tracer.startSpan('request', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': '/orders' } });
  span.end();
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/** `count` decisions on a frozen clock (Default's rate is 0 and it borrows nothing). */
function decisions(count) {
  mock.timers.enable({ apis: ['Date'], now: Math.ceil(Date.now() / 1000) * 1000 });
  try {
    return Array.from({ length: count }, sampled);
  } finally {
    mock.timers.reset();
  }
}

test('while the platform is being detected, a ServiceType rule does not match', async () => {
  await proxy.waitFor(() => proxy.calls.targets.length >= 1, 'the rules to arrive');
  await pollUntil(() => (ecs.requests.length > 0 ? true : undefined), 5000, () => 'the ECS detector to ask the task metadata endpoint');
  assert.deepEqual(decisions(5), Array(5).fill(false));
});

test('once the ECS detector has answered, the AWS::ECS::Fargate rule samples every request', async () => {
  ecs.release();
  await pollUntil(() => (sampled() ? true : undefined), 5000, () => 'the AWS::ECS::Fargate rule to match');
  assert.deepEqual(decisions(50), Array(50).fill(true));
});
