// The xray-daemon exporter under load and faults: the daemon's host name is looked up once, not
// per datagram; a burst reaches a daemon with the kernel's default receive buffer; what is
// refused is counted and never reported as exported.
import { DiagLogLevel, diag, trace } from '@opentelemetry/api';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { after, afterEach, describe, it } from 'node:test';
import { startTracing } from 'otel-xray';
import { startUdpReceiver } from './support/reliability-receivers.mjs';

const warnings = [];
diag.setLogger({ error: (m) => warnings.push(String(m)), warn: (m) => warnings.push(String(m)), info() {}, debug() {}, verbose() {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });

// A name that does not resolve yet, as a sidecar's while it starts. Its lookups fail here after
// 200 ms without going to the network; every other name goes to the real resolver.
const NOT_YET = 'xray-daemon-starting.invalid';

/** Counts the app-wide dns.lookup calls per host name, and how many ran at once at most. */
const lookups = { count: new Map(), running: 0, maxRunning: new Map() };
const realLookup = dns.lookup;
dns.lookup = function countingLookup(hostname, options, callback) {
  const done = typeof options === 'function' ? options : callback;
  lookups.count.set(hostname, (lookups.count.get(hostname) ?? 0) + 1);
  lookups.running++;
  lookups.maxRunning.set(hostname, Math.max(lookups.maxRunning.get(hostname) ?? 0, lookups.running));
  const finish = (...args) => {
    lookups.running--;
    done(...args);
  };
  if (hostname === NOT_YET) {
    setTimeout(() => finish(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' })), 200);
    return {};
  }
  return typeof options === 'function' ? realLookup.call(dns, hostname, finish) : realLookup.call(dns, hostname, options, finish);
};
after(() => {
  dns.lookup = realLookup;
});

let tracing;
afterEach(async () => {
  await tracing?.shutdown();
  tracing = undefined;
  warnings.length = 0;
  lookups.count.clear();
  lookups.maxRunning.clear();
});

function endSpans(count, attributeBytes = 0) {
  const tracer = trace.getTracer('daemon-test');
  const payload = 'p'.repeat(attributeBytes);
  for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`, { attributes: attributeBytes > 0 ? { payload } : {} }).end();
}

async function waitFor(condition, ms = 5000) {
  for (let waited = 0; waited < ms && !condition(); waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('the daemon host name', () => {
  it('is looked up once for many batches, not once per span', async () => {
    const receiver = await startUdpReceiver({ full: false });
    try {
      tracing = startTracing({ exporter: 'xray-daemon', endpoint: `localhost:${receiver.port}`, outbound: false, flushOnSigterm: false });
      for (let batch = 0; batch < 3; batch++) {
        endSpans(200);
        await tracing.forceFlush();
      }
      await waitFor(() => receiver.datagrams >= 600);
      assert.equal(receiver.datagrams, 600);
      assert.equal(lookups.count.get('localhost'), 1, `lookups of localhost: ${lookups.count.get('localhost')}`);
      assert.deepEqual(tracing.stats(), { exported: 600, dropped: 0, failed: 0, queued: 0 });
    } finally {
      await receiver.close();
    }
  });

  it('that does not resolve yet costs one lookup at a time, not one per span, and its spans count as failed', async () => {
    tracing = startTracing({ exporter: 'xray-daemon', endpoint: `${NOT_YET}:2000`, outbound: false, flushOnSigterm: false });
    for (let batch = 0; batch < 3; batch++) {
      endSpans(200);
      await tracing.forceFlush();
    }
    // The app's own lookups still go through at once.
    const own = await new Promise((resolve, reject) => dns.lookup('localhost', (error, address) => (error ? reject(error) : resolve(address))));
    assert.ok(own);
    assert.equal(lookups.maxRunning.get(NOT_YET), 1, 'never more than one lookup of the daemon name at a time');
    assert.equal(lookups.count.get(NOT_YET), 1, `lookups of the daemon name: ${lookups.count.get(NOT_YET)} (the next waits a few seconds)`);
    assert.deepEqual(tracing.stats(), { exported: 0, dropped: 0, failed: 600, queued: 0 });
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /cannot resolve the X-Ray daemon's host "xray-daemon-starting\.invalid"/);
  });
});

describe('a burst of datagrams', () => {
  const env = { OTEL_BSP_MAX_QUEUE_SIZE: '4096', OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '4096', OTEL_BSP_SCHEDULE_DELAY: '60000' };
  const saved = {};
  afterEach(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  for (const attributeBytes of [0, 2048]) {
    it(`of 2,049 spans${attributeBytes ? ' with 2 KB attributes' : ''} all reach a receiver with the default buffer`, async () => {
      for (const [key, value] of Object.entries(env)) {
        saved[key] = process.env[key];
        process.env[key] = value;
      }
      const receiver = await startUdpReceiver({ full: false });
      try {
        tracing = startTracing({ exporter: 'xray-daemon', endpoint: receiver.address, outbound: false, flushOnSigterm: false });
        endSpans(2049, attributeBytes);
        await tracing.forceFlush();
        await waitFor(() => receiver.datagrams >= 2049);
        assert.equal(receiver.datagrams, 2049);
        assert.deepEqual(tracing.stats(), { exported: 2049, dropped: 0, failed: 0, queued: 0 });
      } finally {
        await receiver.close();
      }
    });
  }
});

describe('a daemon that is not listening', () => {
  it('refuses datagrams: they count as failed, the export is not reported as a success', async () => {
    const probe = dgram.createSocket('udp4');
    await new Promise((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const { port } = probe.address();
    await new Promise((resolve) => probe.close(resolve));

    tracing = startTracing({ exporter: 'xray-daemon', endpoint: `127.0.0.1:${port}`, outbound: false, flushOnSigterm: false });
    endSpans(64);
    await tracing.forceFlush();
    const stats = tracing.stats();
    assert.ok(stats.failed > 0, `refused spans are counted: ${JSON.stringify(stats)}`);
    assert.equal(stats.exported + stats.failed, 64);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /exporting spans to the X-Ray daemon at udp:127\.0\.0\.1:\d+ failed: \d+ of 64 spans were not sent: .*ECONNREFUSED/);
  });
});
