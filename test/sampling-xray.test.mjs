// X-Ray centralized sampling (sampler: 'xray') against a local sampling proxy that serves the
// documented GetSamplingRules / SamplingTargets JSON.
import assert from 'node:assert/strict';
import { after, before, mock, test } from 'node:test';
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { startMemoryTracing } from './support/tracing.mjs';
import { samplingRule, startSamplingProxy } from './support/xray-sampling-proxy.mjs';

const FAR_FUTURE_S = 4_000_000_000;
let addedRules = [];
let lastRuleModification = 0;

const proxy = await startSamplingProxy({
  rules: () => [
    samplingRule({ RuleName: 'Orders', Priority: 1, HTTPMethod: 'POST', URLPath: '/orders*', FixedRate: 1, ReservoirSize: 0 }),
    samplingRule({ RuleName: 'OtherService', Priority: 2, ServiceName: 'someone-else', FixedRate: 1, ReservoirSize: 0 }),
    samplingRule({ RuleName: 'OneResource', Priority: 3, ResourceARN: 'arn:aws:ecs:us-east-1:123456789012:task/x', FixedRate: 1, ReservoirSize: 0 }),
    samplingRule({ RuleName: 'Borrow', Priority: 5, URLPath: '/borrow', Host: 'api.*', FixedRate: 0, ReservoirSize: 10 }),
    ...addedRules,
    samplingRule({ RuleName: 'Default', Priority: 10000, FixedRate: 0, ReservoirSize: 0 }),
  ],
  targets: () => ({
    SamplingTargetDocuments: [
      { RuleName: 'Default', FixedRate: 0, ReservoirQuota: 3, ReservoirQuotaTTL: FAR_FUTURE_S, Interval: 1 },
      { RuleName: 'Orders', FixedRate: 1, Interval: 1 },
    ],
    LastRuleModification: lastRuleModification,
  }),
});

process.env.OTEL_TRACES_SAMPLER_ARG = `endpoint=${proxy.url}`;
let tracing;
let tracer;
before(() => {
  tracing = startMemoryTracing({ sampler: 'xray', serviceName: 'checkout' });
  tracer = trace.getTracer('sampling-test');
});
after(async () => {
  await tracing.tracing.shutdown();
  await proxy.close();
});

function sampled(method, path, host = 'api.example.com') {
  const span = tracer.startSpan('request', {
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': method, 'url.path': path, 'server.address': host },
  });
  span.end();
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

let lastSimulatedSecond = 0;
/** Runs `body` on a frozen simulated clock, at the start of a second no earlier call used. */
function onSimulatedClock(body) {
  lastSimulatedSecond = Math.max(Math.ceil(Date.now() / 1000), lastSimulatedSecond + 1);
  mock.timers.enable({ apis: ['Date'], now: lastSimulatedSecond * 1000 });
  try {
    return body();
  } finally {
    mock.timers.reset();
  }
}

const statisticsOf = (call, rule) => call.body.SamplingStatisticsDocuments.find((doc) => doc.RuleName === rule);

test('polls GetSamplingRules through the proxy at start, then reports to SamplingTargets', async () => {
  await proxy.waitFor(() => proxy.calls.targets.length >= 1, 'the first SamplingTargets call');
  const [rulesCall] = proxy.calls.rules;
  assert.equal(rulesCall.method, 'POST');
  assert.equal(rulesCall.path, '/GetSamplingRules');
  assert.deepEqual(rulesCall.body, {});
  const [targetsCall] = proxy.calls.targets;
  assert.equal(targetsCall.method, 'POST');
  assert.equal(targetsCall.contentType, 'application/json');
  const names = targetsCall.body.SamplingStatisticsDocuments.map((doc) => doc.RuleName).sort();
  // A rule for one resource ARN cannot be matched by an SDK and is left out, as the X-Ray SDKs do.
  assert.deepEqual(names, ['Borrow', 'Default', 'Orders', 'OtherService']);
  for (const doc of targetsCall.body.SamplingStatisticsDocuments) {
    assert.match(doc.ClientID, /^[0-9a-f]{24}$/);
    assert.equal(typeof doc.Timestamp, 'number');
  }
});

test('samples by the rules and the quota the service assigned; reports the counts at the interval it asks', async () => {
  // The second report comes 1 s (the Interval the proxy asked) after the first answer was applied.
  await proxy.waitFor(() => proxy.calls.targets.length >= 2, 'the second SamplingTargets call');
  const reportsBefore = proxy.calls.targets.length;
  const decisions = onSimulatedClock(() => ({
    // No rule but Default matches (OtherService is for another service): its quota, 3 per second, then rate 0.
    other: Array.from({ length: 5 }, () => sampled('GET', '/catalog')),
    // Orders: POST /orders*, fixed rate 1.
    orders: [sampled('POST', '/orders/1'), sampled('POST', '/orders')],
    // Borrow: no target yet, so it borrows 1 per second from its reservoir, then rate 0.
    borrow: [sampled('GET', '/borrow'), sampled('GET', '/borrow'), sampled('GET', '/borrow', 'web.example.com')],
  }));
  assert.deepEqual(decisions.other, [true, true, true, false, false]);
  assert.deepEqual(decisions.orders, [true, true]);
  assert.deepEqual(decisions.borrow, [true, false, false]);

  // Sum the reports from here on: one sent just before the decisions would carry none of them.
  const total = (rule, field) => proxy.calls.targets.slice(reportsBefore).reduce((sum, call) => sum + (statisticsOf(call, rule)?.[field] ?? 0), 0);
  await proxy.waitFor(() => total('Default', 'RequestCount') >= 6, 'the decisions to be reported');
  assert.deepEqual(['RequestCount', 'SampledCount', 'BorrowCount'].map((field) => total('Default', field)), [6, 3, 0]);
  assert.deepEqual(['RequestCount', 'SampledCount', 'BorrowCount'].map((field) => total('Orders', field)), [2, 2, 0]);
  assert.deepEqual(['RequestCount', 'SampledCount', 'BorrowCount'].map((field) => total('Borrow', field)), [2, 1, 1]);
  const report = proxy.calls.targets.at(-1);
  assert.equal(statisticsOf(report, 'Default').ClientID, statisticsOf(proxy.calls.targets[0], 'Default').ClientID);
  assert.equal(total('OtherService', 'RequestCount'), 0);
});

test('fetches the rules again when the service says they changed', async () => {
  assert.equal(onSimulatedClock(() => Array.from({ length: 4 }, () => sampled('GET', '/catalog')).filter(Boolean).length), 3, 'Default: quota 3, rate 0');
  addedRules = [samplingRule({ RuleName: 'Catalog', Priority: 4, URLPath: '/catalog', FixedRate: 1, ReservoirSize: 0 })];
  lastRuleModification = Math.floor(Date.now() / 1000) + 60;
  const rulesCalls = proxy.calls.rules.length;
  await proxy.waitFor(() => proxy.calls.rules.length > rulesCalls, 'GetSamplingRules called again');
  lastRuleModification = 0;
  // The next report comes after the new rules are in place, and names the new rule.
  const reports = proxy.calls.targets.length;
  await proxy.waitFor(() => proxy.calls.targets.length > reports, 'another SamplingTargets call');
  assert.ok(statisticsOf(proxy.calls.targets.at(-1), 'Catalog'), 'the new rule is reported');
  const decisions = onSimulatedClock(() => Array.from({ length: 10 }, () => sampled('GET', '/catalog')));
  assert.deepEqual(decisions, Array(10).fill(true), 'the new Catalog rule (fixed rate 1) decides');
});
