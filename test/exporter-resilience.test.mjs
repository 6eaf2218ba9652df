// A collector that is down, black-holed, failing or slow costs the app nothing: requests succeed,
// memory stays bounded, one warning per failure burst, no unhandled rejection.
import { DiagLogLevel, diag, trace } from '@opentelemetry/api';
import express from 'express';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startTracing } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';
import { startOtlpReceiver } from './support/receivers.mjs';
import { listen } from './support/tracing.mjs';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const SERVER = 2;

// A port nobody listens on yet: connection refused until the receiver starts on it.
const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});

Object.assign(process.env, {
  OTEL_BSP_MAX_QUEUE_SIZE: '50',
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '10',
  OTEL_BSP_SCHEDULE_DELAY: '20',
  OTEL_EXPORTER_OTLP_TIMEOUT: '400',
});
const tracing = startTracing({ exporter: 'otlp', endpoint: `http://127.0.0.1:${port}/v1/traces`, serviceName: 'resilient', flushOnSigterm: false, outbound: false });
const warnings = [];
diag.setLogger({ error: (m) => warnings.push(String(m)), warn: (m) => warnings.push(String(m)), info() {}, debug() {}, verbose() {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
const rejections = [];
process.on('unhandledRejection', (reason) => rejections.push(reason));

const app = express();
app.use(xrayTracing());
app.get('/work/:i', (req, res) => {
  // 40 kB of unshared text per span, so holding spans without bound would show in the heap.
  trace.getActiveSpan().setAttribute('payload', randomBytes(20000).toString('hex'));
  res.send('done');
});
const server = await listen(app.listen(0, '127.0.0.1'));
let receiver;

after(async () => {
  await server.close();
  await tracing.shutdown();
  await receiver?.close();
});

/** `count` requests, 25 at a time; every one must succeed. */
async function load(count) {
  for (let sent = 0; sent < count; sent += 25) {
    const statuses = await Promise.all(Array.from({ length: 25 }, (_, i) => fetch(`${server.url}/work/${sent + i}`).then((r) => r.text().then(() => r.status))));
    assert.deepEqual(new Set(statuses), new Set([200]));
  }
}

const heapMb = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
const exportWarnings = () => warnings.filter((w) => w.startsWith('otel-xray: exporting spans to'));

test('collector down (connection refused): requests succeed, one warning for the whole burst', async () => {
  await load(100);
  await tracing.forceFlush();
  assert.equal(exportWarnings().length, 1);
  assert.match(exportWarnings()[0], /ECONNREFUSED/);
});

test('down, then returning 500, then black-holed: requests succeed, heap stays bounded, still one warning', async () => {
  const baseline = heapMb();
  await load(300);
  receiver = await startOtlpReceiver({ port, mode: 'error', slowMs: 50 });
  await load(300);
  await tracing.forceFlush();
  assert.ok(receiver.requests >= 2, `several batches failed with 500 (${receiver.requests})`);
  receiver.mode = 'blackhole';
  // Each export now waits for its timeout, so spans end far faster than they can leave.
  await load(300);
  const growth = heapMb() - baseline;
  // 300 spans of 40 kB would be 12 MB if kept; the queue holds at most 50 (+ one batch of 10 in flight).
  assert.ok(growth < 6, `heap grew ${growth.toFixed(1)} MB`);
  assert.equal(exportWarnings().length, 1, exportWarnings().join('\n'));
});

test('slow, then healthy: export recovers with one line counting the lost spans, and new spans arrive', async () => {
  receiver.mode = 'slow';
  await tracing.forceFlush();
  await load(50);
  await tracing.forceFlush();
  receiver.mode = 'ok';
  await load(50);
  await tracing.forceFlush();
  const recovered = exportWarnings().filter((w) => w.includes('works again'));
  assert.ok(recovered.length >= 1, exportWarnings().join('\n'));
  assert.ok(Number(/(\d+) spans were lost meanwhile/.exec(recovered[0])[1]) > 0, recovered[0]);
  assert.match(exportWarnings().at(-1), /works again/, 'the last word is the recovery');
  const arrived = receiver.spans.filter((s) => s.kind === SERVER && s.resource['service.name'] === 'resilient');
  assert.ok(arrived.length >= 50, `${arrived.length} spans arrived after recovery`);
});

test('a full queue drops new spans: one warning when it fills, one with the count when it drains; the rest are delivered', async () => {
  warnings.length = 0;
  const tracer = trace.getTracer('burst');
  // Ended synchronously, faster than any export: the queue (50) overflows.
  for (let i = 0; i < 400; i++) tracer.startSpan('burst').end();
  await tracing.forceFlush();
  const full = warnings.filter((w) => w.startsWith('otel-xray: the span queue is full (50 spans'));
  const counted = warnings.filter((w) => /^otel-xray: \d+ spans were dropped while the span queue was full$/.test(w));
  assert.equal(full.length, 1, warnings.join('\n'));
  assert.equal(counted.length, 1, warnings.join('\n'));
  const dropped = Number(/\d+/.exec(counted[0])[0]);
  const delivered = (await receiver.waitFor(400 - dropped, (s) => s.name === 'burst')).length;
  assert.ok(dropped > 0);
  assert.equal(delivered + dropped, 400);
  assert.ok(!warnings.some((w) => w.includes('maxQueueSize reached')), 'the SDK queue itself never overflows');
});

test('no unhandled rejection escaped', () => {
  assert.deepEqual(rejections, []);
});
