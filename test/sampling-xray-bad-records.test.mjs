// A GetSamplingRules answer with malformed records: each bad record is skipped with a warning
// naming it, and the good rules in the same answer are used.
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import { DiagLogLevel, SpanKind, TraceFlags, diag, trace } from '@opentelemetry/api';
import { XRayRemoteSampler } from 'otel-xray';
import { startMemoryTracing } from './support/tracing.mjs';
import { samplingRule, startSamplingProxy } from './support/xray-sampling-proxy.mjs';

const warnings = [];
const record = (rule) => ({ SamplingRule: rule, CreatedAt: 1.7e9, ModifiedAt: 1.7e9 });
const proxy = await startSamplingProxy({
  records: () => [
    null,
    record(samplingRule({ RuleName: 'Kept', Priority: 1, URLPath: '/kept', FixedRate: 1, ReservoirSize: 0 })),
    record(samplingRule({ RuleName: 'NoRate', Priority: 2, FixedRate: 'all', ReservoirSize: 0 })),
    record('a string'),
    record(samplingRule({ RuleName: 'BadAttributes', Priority: 3, FixedRate: 0, ReservoirSize: 0, Attributes: 'x' })),
    record(samplingRule({ RuleName: 'Default', Priority: 10000, FixedRate: 0, ReservoirSize: 0 })),
  ],
});

let tracing;
let tracer;
before(() => {
  tracing = startMemoryTracing({ sampler: new XRayRemoteSampler({ endpoint: proxy.url }) });
  // After startTracing, which sets its own logger: this one collects what the sampler says.
  diag.setLogger({ warn: (message) => warnings.push(message), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  tracer = trace.getTracer('bad-records-test');
});
after(async () => {
  diag.disable();
  await tracing.tracing.shutdown();
  await proxy.close();
});

function sampled(path) {
  const span = tracer.startSpan('request', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': path } });
  span.end();
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

test('the good records of the answer are used; the bad ones are skipped', async () => {
  await proxy.waitFor(() => proxy.calls.targets.length >= 1, 'the first SamplingTargets call');
  const reported = proxy.calls.targets[0].body.SamplingStatisticsDocuments.map((doc) => doc.RuleName).sort();
  assert.deepEqual(reported, ['Default', 'Kept']);
  // Frozen clock at a fresh second: the default rule's borrowed request is not in play (ReservoirSize 0).
  mock.timers.enable({ apis: ['Date'], now: Math.ceil(Date.now() / 1000) * 1000 });
  try {
    assert.deepEqual(Array.from({ length: 5 }, () => sampled('/kept')), Array(5).fill(true), 'Kept (fixed rate 1) decides');
    assert.deepEqual(Array.from({ length: 5 }, () => sampled('/other')), Array(5).fill(false), 'Default (fixed rate 0) decides');
  } finally {
    mock.timers.reset();
  }
});

test('each skipped record is named in one warning, which does not say the proxy failed to answer', async () => {
  // The warnings came with the first rules poll, before the first SamplingTargets call.
  const skipped = warnings.filter((message) => message.includes('unreadable sampling rule'));
  assert.equal(skipped.length, 4, skipped.join('\n'));
  assert.match(skipped[0], /record 1 of 6: not an object; skipped, the other rules are used/);
  assert.match(skipped[1], /record 3 of 6 \(RuleName "NoRate"\): FixedRate is not a number/);
  assert.match(skipped[2], /record 4 of 6: not an object/);
  assert.match(skipped[3], /record 5 of 6 \(RuleName "BadAttributes"\): Attributes is not an object/);
  assert.ok(!warnings.some((message) => message.includes('did not answer')), warnings.join('\n'));
});
