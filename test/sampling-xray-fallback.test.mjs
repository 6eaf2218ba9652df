// sampler: 'xray' while the sampling proxy does not answer: X-Ray's default rule (1 request per
// second, then 5%) decides, and no request waits on the proxy.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, mock, test } from 'node:test';
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing } from './support/tracing.mjs';
import { startSamplingProxy } from './support/xray-sampling-proxy.mjs';

// A proxy that takes the request and never answers: worse for a caller than one that is down.
const proxy = await startSamplingProxy({ hang: true });
process.env.OTEL_TRACES_SAMPLER = 'xray';
process.env.OTEL_TRACES_SAMPLER_ARG = `endpoint=${proxy.url},polling_interval=300`;

let tracing;
let server;
before(async () => {
  tracing = startMemoryTracing();
  const app = express();
  app.use(xrayTracing());
  app.get('/work', (_req, res) => res.send('done'));
  server = await listen(http.createServer(app));
});
after(async () => {
  await server.close();
  await proxy.close();
});

function sampled() {
  const span = trace.getTracer('fallback-test').startSpan('job', { kind: SpanKind.SERVER, attributes: { 'url.path': '/work' } });
  span.end();
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

test('requests are answered while the proxy holds the rules request unanswered', async () => {
  await proxy.waitFor(() => proxy.pending >= 1, 'the GetSamplingRules request to reach the proxy');
  const responses = await Promise.all(Array.from({ length: 5 }, () => fetch(`${server.url}/work`)));
  for (const res of responses) {
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'done');
    assert.match(res.headers.get('x-amzn-trace-id'), /;Sampled=[01]$/);
  }
  assert.equal(proxy.pending, 1, 'the rules request is still unanswered');
});

test('the default rule decides: 1 request per second, then 5% of the rest', () => {
  mock.timers.enable({ apis: ['Date'], now: Math.ceil(Date.now() / 1000) * 1000 });
  try {
    assert.equal(sampled(), true, 'the first request of a second is sampled');
    const rest = Array.from({ length: 1000 }, sampled).filter(Boolean).length;
    // 5% of 1000 random trace ids: 50 ± 7 (one standard deviation); 7 deviations either side.
    assert.ok(rest > 0 && rest < 100, `sampled ${rest} of 1000 after the first`);
    mock.timers.tick(1000);
    assert.equal(sampled(), true, 'the next second starts with a sampled request again');
  } finally {
    mock.timers.reset();
  }
});

test('shutdown stops polling and lets go of the unanswered request', async () => {
  await tracing.tracing.shutdown();
  await proxy.waitFor(() => proxy.pending === 0 && proxy.closedPending === 1, 'the pending request to be closed');
  assert.equal(proxy.calls.rules.length, 1);
});
