// sampler: 'xray' finds its sampling proxy where AWS_XRAY_DAEMON_ADDRESS says the daemon is, in
// both forms the X-Ray SDKs read (`host:port`, and `tcp:host:port udp:host:port`, whose TCP
// address the proxy answers on), as the daemon exporter does.
import assert from 'node:assert/strict';
import { after, afterEach, test } from 'node:test';
import { XRayRemoteSampler, startTracing } from 'otel-xray';
import { samplingRule, startSamplingProxy } from './support/xray-sampling-proxy.mjs';

const rules = () => [samplingRule({ RuleName: 'Default', Priority: 10000, FixedRate: 0.05, ReservoirSize: 1 })];
const proxy = await startSamplingProxy({ rules });
const other = await startSamplingProxy({ rules });
const port = new URL(proxy.url).port;
after(async () => {
  await proxy.close();
  await other.close();
});
afterEach(() => {
  delete process.env.AWS_XRAY_DAEMON_ADDRESS;
  delete process.env.OTEL_TRACES_SAMPLER_ARG;
});

/** Starts tracing with sampler 'xray', waits for the next GetSamplingRules call at `where`, then stops. */
async function pollsReach(where) {
  const before = where.calls.rules.length;
  const tracing = startTracing({ sampler: 'xray', exporter: 'none', flushOnSigterm: false, outbound: false });
  try {
    await where.waitFor(() => where.calls.rules.length > before, 'GetSamplingRules at the proxy');
  } finally {
    await tracing.shutdown();
  }
}

test('AWS_XRAY_DAEMON_ADDRESS=host:port', async () => {
  process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${port}`;
  await pollsReach(proxy);
});

test('AWS_XRAY_DAEMON_ADDRESS=tcp:host:port udp:host:port polls the TCP address, in either order', async () => {
  process.env.AWS_XRAY_DAEMON_ADDRESS = `tcp:127.0.0.1:${port} udp:127.0.0.1:2001`;
  await pollsReach(proxy);
  process.env.AWS_XRAY_DAEMON_ADDRESS = `udp:127.0.0.1:2001 tcp:127.0.0.1:${port}`;
  await pollsReach(proxy);
});

test('an endpoint in OTEL_TRACES_SAMPLER_ARG wins over AWS_XRAY_DAEMON_ADDRESS', async () => {
  process.env.AWS_XRAY_DAEMON_ADDRESS = `127.0.0.1:${port}`;
  process.env.OTEL_TRACES_SAMPLER_ARG = `endpoint=${other.url}`;
  const calls = proxy.calls.rules.length;
  await pollsReach(other);
  assert.equal(proxy.calls.rules.length, calls);
});

test('new XRayRemoteSampler() with no endpoint reads it too', async () => {
  process.env.AWS_XRAY_DAEMON_ADDRESS = `tcp:127.0.0.1:${port} udp:127.0.0.1:2001`;
  const sampler = new XRayRemoteSampler();
  assert.equal(sampler.endpoint, `http://127.0.0.1:${port}`);
  sampler.shutdown();
  process.env.AWS_XRAY_DAEMON_ADDRESS = '[::1]:2000';
  const v6 = new XRayRemoteSampler();
  assert.equal(v6.endpoint, 'http://[::1]:2000');
  v6.shutdown();
});

test('an AWS_XRAY_DAEMON_ADDRESS that is not an address is a start-up error naming it', () => {
  for (const value of ['daemon', 'tcp:127.0.0.1:2000', `tcp:127.0.0.1:${port} udp:nowhere`]) {
    process.env.AWS_XRAY_DAEMON_ADDRESS = value;
    assert.throws(
      () => startTracing({ sampler: 'xray', exporter: 'none', flushOnSigterm: false, outbound: false }),
      (error) => error instanceof TypeError && /AWS_XRAY_DAEMON_ADDRESS/.test(error.message),
      value,
    );
  }
});
