// Several invocations at once in one environment: each trace header comes from the Lambda
// runtime's invoke store (per invocation), not from the process-wide _X_AMZN_TRACE_ID.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';
import serverless from 'serverless-http';
import { xrayLambda } from 'otel-xray/lambda';
import { koaApp } from './support/front-end-apps.mjs';
import { LAMBDA_ENV, apiGatewayV2Event, lambdaContext } from './support/lambda-events.mjs';
import { startMemoryTracing } from './support/tracing.mjs';

Object.assign(process.env, LAMBDA_ENV, { AWS_LAMBDA_MAX_CONCURRENCY: '4' });
let memory;
let store;
before(async () => {
  memory = startMemoryTracing();
  // The runtime's own store, in its multi-concurrency mode, published on globalThis.awslambda.
  store = await InvokeStore.getInstanceAsync(true);
});
after(() => memory.tracing.shutdown());

it('gives each concurrent invocation its own parent', async () => {
  const handler = xrayLambda(serverless(koaApp()));
  // A stale process-wide value, as when another invocation set it last: it must not be used.
  process.env._X_AMZN_TRACE_ID = 'Root=1-11111111-111111111111111111111111;Parent=1111111111111111;Sampled=1';
  const invocations = [1, 2, 3, 4].map((n) => {
    const root = `1-6745f0${n}0-0000000000000000000000a${n}`;
    const parent = `00000000000000f${n}`;
    const header = `Root=${root};Parent=${parent};Sampled=1`;
    const run = store.run({ [InvokeStoreBase.PROTECTED_KEYS.X_RAY_TRACE_ID]: header }, () =>
      handler(apiGatewayV2Event(`/orders/concurrent-${n}`, `Root=${root}`), lambdaContext()),
    );
    return run.then((result) => ({ n, root, parent, result }));
  });
  const results = await Promise.all(invocations);
  const spans = memory.exporter.getFinishedSpans();
  for (const { n, root, parent, result } of results) {
    assert.equal(result.statusCode, 200);
    const span = spans.find((s) => s.attributes['url.path'] === `/orders/concurrent-${n}`);
    assert.ok(span, `span of invocation ${n}`);
    assert.equal(span.spanContext().traceId, root.slice(2).replace('-', ''));
    assert.equal(span.parentSpanContext?.spanId, parent);
  }
  delete process.env._X_AMZN_TRACE_ID;
});
