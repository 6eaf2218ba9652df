// tracing.stats() counts every sampled span exactly once: exported, dropped (queue full),
// failed (export failed), or still queued, so an app can alert on lost spans.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startOtlpReceiver } from './support/reliability-receivers.mjs';
import { get, refusedPort, startApp } from './support/reliability.mjs';

let receiver;
before(async () => {
  receiver = await startOtlpReceiver();
});
after(() => receiver.close());

/** `count` requests, 16 at a time; each one must succeed. */
async function requests(app, count) {
  for (let sent = 0; sent < count; sent += 16) {
    const answers = await Promise.all(Array.from({ length: Math.min(16, count - sent) }, (_, i) => get(`${app.url}/users/${sent + i}`)));
    assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([200]));
  }
}

describe('tracing.stats()', () => {
  it('counts spans delivered to a working collector as exported', async () => {
    const app = await startApp({ RA_ENDPOINT: receiver.url('/stats/ok/v1/traces'), RA_OUTBOUND: 'false', OTEL_BSP_SCHEDULE_DELAY: '50' });
    try {
      await requests(app, 40);
      await app.request({ cmd: 'flush' });
      const { stats } = await app.request({ cmd: 'stats' });
      assert.deepEqual(stats, { exported: 40, dropped: 0, failed: 0, queued: 0 });
      assert.equal(receiver.counts.get('/stats/ok/v1/traces')?.spans, 40);
    } finally {
      await app.stop();
    }
  });

  it('forceFlush() waits for an export already on its way, so it is counted as exported', async () => {
    const slow = await startOtlpReceiver({ answerDelayMs: 400 });
    const app = await startApp({ RA_ENDPOINT: slow.url(), RA_OUTBOUND: 'false', OTEL_BSP_SCHEDULE_DELAY: '20' });
    try {
      await requests(app, 1);
      // The batch processor's timer sends the span; the receiver holds its answer.
      for (let i = 0; i < 200 && slow.requests === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(slow.requests, 1, 'the export is in flight');
      await app.request({ cmd: 'flush' });
      assert.deepEqual((await app.request({ cmd: 'stats' })).stats, { exported: 1, dropped: 0, failed: 0, queued: 0 });
    } finally {
      await app.stop();
      await slow.close();
    }
  });

  it('counts spans a black-holed collector never got as dropped, queued, then failed at shutdown, each once', async () => {
    const blackHole = await startOtlpReceiver({ mode: 'blackhole', full: false });
    const app = await startApp({
      RA_ENDPOINT: blackHole.url(),
      RA_OUTBOUND: 'false',
      // The first 32 spans go out at once and hang; the next 32 wait in the queue; the rest are dropped.
      OTEL_BSP_MAX_QUEUE_SIZE: '32',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '32',
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '60000',
    });
    try {
      await requests(app, 200);
      const during = (await app.request({ cmd: 'stats' })).stats;
      assert.deepEqual(during, { exported: 0, dropped: 200 - 64, failed: 0, queued: 32 });
      const { stats } = await app.request({ cmd: 'shutdown' });
      assert.deepEqual(stats, { exported: 0, dropped: 200 - 64, failed: 64, queued: 0 });
      assert.match(app.stderr, /shutdown: 64 spans were not exported/);
    } finally {
      await app.stop();
      await blackHole.close();
    }
  });

  it('counts spans a refused collector never got as failed', async () => {
    const app = await startApp({
      RA_ENDPOINT: `http://127.0.0.1:${await refusedPort()}/v1/traces`,
      RA_OUTBOUND: 'false',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '300',
    });
    try {
      await requests(app, 40);
      await app.request({ cmd: 'flush' });
      const { stats } = await app.request({ cmd: 'stats' });
      assert.deepEqual(stats, { exported: 0, dropped: 0, failed: 40, queued: 0 });
    } finally {
      await app.stop();
    }
  });
});
