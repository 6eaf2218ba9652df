// Polling intervals too large for Node's timers, from the proxy (a target's Interval) or the
// user (pollingInterval): they are bounded, so polling never turns into a poll every millisecond.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { XRayRemoteSampler } from 'otel-xray';
import { samplingRule, startSamplingProxy } from './support/xray-sampling-proxy.mjs';

const HUGE_S = 10_000_000;
/** Long enough for an overflowed timer (1 ms) to fire hundreds of times; a bounded one fires never. */
const WATCH_MS = 500;

const warnings = [];
const processWarnings = [];
const onProcessWarning = (warning) => processWarnings.push(warning.name);
before(() => {
  diag.setLogger({ warn: (message) => warnings.push(message), error: () => {}, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  process.on('warning', onProcessWarning);
});
after(() => {
  diag.disable();
  process.off('warning', onProcessWarning);
});

const rules = () => [samplingRule({ RuleName: 'Default', Priority: 10000, FixedRate: 0.05, ReservoirSize: 1 })];
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

test(`a target Interval of ${HUGE_S} s from the proxy does not make the sampler poll continually`, async () => {
  const proxy = await startSamplingProxy({ rules, targets: () => ({ SamplingTargetDocuments: [{ RuleName: 'Default', FixedRate: 0.05, Interval: HUGE_S }] }) });
  const sampler = new XRayRemoteSampler({ endpoint: proxy.url });
  try {
    await proxy.waitFor(() => proxy.calls.targets.length >= 1, 'the first SamplingTargets call');
    await pause(WATCH_MS);
    assert.equal(proxy.calls.targets.length, 1, 'no further SamplingTargets call within the bounded interval');
    assert.equal(proxy.calls.rules.length, 1);
  } finally {
    sampler.shutdown();
    await proxy.close();
  }
});

test(`pollingInterval: ${HUGE_S} is bounded, with a warning naming it`, async () => {
  const proxy = await startSamplingProxy({ rules });
  const sampler = new XRayRemoteSampler({ endpoint: proxy.url, pollingInterval: HUGE_S });
  try {
    await proxy.waitFor(() => proxy.calls.rules.length >= 1 && proxy.calls.targets.length >= 1, 'the first polls');
    await pause(WATCH_MS);
    assert.equal(proxy.calls.rules.length, 1, 'no further GetSamplingRules call within the bounded interval');
    assert.ok(
      warnings.some((message) => /XRayRemoteSampler pollingInterval 10000000 s is outside 1–1800 s; using 1800 s/.test(message)),
      warnings.join('\n'),
    );
  } finally {
    sampler.shutdown();
    await proxy.close();
  }
});

test('an OTEL_TRACES_SAMPLER_ARG polling_interval that large is bounded the same way', async () => {
  const proxy = await startSamplingProxy({ rules });
  process.env.OTEL_TRACES_SAMPLER_ARG = `endpoint=${proxy.url},polling_interval=${HUGE_S}`;
  const { startTracing } = await import('otel-xray');
  const tracing = startTracing({ sampler: 'xray', exporter: 'none', flushOnSigterm: false, outbound: false });
  try {
    await proxy.waitFor(() => proxy.calls.rules.length >= 1 && proxy.calls.targets.length >= 1, 'the first polls');
    await pause(WATCH_MS);
    assert.equal(proxy.calls.rules.length, 1);
  } finally {
    delete process.env.OTEL_TRACES_SAMPLER_ARG;
    await tracing.shutdown();
    await proxy.close();
  }
});

test('no timer overflowed', () => {
  assert.deepEqual(processWarnings.filter((name) => name === 'TimeoutOverflowWarning'), []);
});
