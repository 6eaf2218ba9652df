// A collector that is down, black-holed or erroring costs the app nothing: every request
// succeeds, memory stays bounded, and the outage is reported by a few warnings, not one per batch.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { startOtlpReceiver } from './support/reliability-receivers.mjs';
import { get, load, refusedPort, startApp } from './support/reliability.mjs';

const WARM_UP = 1000;
const TOTAL = 5000;
// The batch queue is capped at 256 spans here, about 0.4 MB (an ended server span holds about
// 1.4 KB, measured with this app). It is full after the warm-up whichever way the collector
// fails, so past the warm-up the heap has no reason to grow: keeping even half of the 4,000
// later spans would add about 2.8 MB. 3 MB leaves room for GC noise and still catches that.
const HEAP_GROWTH_BOUND = 3 * 1024 * 1024;
// One warning when the outage starts (and one if it ends); allow a retry-path message too.
const MAX_WARNINGS = 3;

const receivers = [];
after(async () => {
  for (const receiver of receivers) await receiver.close();
});

async function badCollector(kind) {
  if (kind === 'down') return `http://127.0.0.1:${await refusedPort()}/v1/traces`;
  const receiver = await startOtlpReceiver({ mode: kind === 'black-holed' ? 'blackhole' : 'error', full: false });
  receivers.push(receiver);
  return receiver.url();
}

for (const kind of ['down', 'black-holed', 'erroring']) {
  describe(`collector ${kind}`, () => {
    it(`serves ${TOTAL} requests, keeps the heap bounded and rate-limits warnings`, async () => {
      const app = await startApp(
        {
          RA_FRAMEWORK: 'express',
          RA_EXPORTER: 'otlp',
          RA_ENDPOINT: await badCollector(kind),
          OTEL_BSP_SCHEDULE_DELAY: '50',
          OTEL_BSP_MAX_QUEUE_SIZE: '256',
          OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '64',
          OTEL_BSP_EXPORT_TIMEOUT: '1000',
          OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '300',
        },
        { execArgv: ['--expose-gc'] },
      );
      try {
        const url = `${app.url}/users/42`;
        const warmUp = await load(url, { amount: WARM_UP });
        const heapAfterWarmUp = (await app.request({ cmd: 'heap' })).heapUsed;
        const rest = await load(url, { amount: TOTAL - WARM_UP });
        const heapAtEnd = (await app.request({ cmd: 'heap' })).heapUsed;

        assert.equal(warmUp.ok + rest.ok, TOTAL, `all requests succeed: ${JSON.stringify({ warmUp, rest })}`);
        assert.equal(warmUp.errors + rest.errors + warmUp.timeouts + rest.timeouts, 0);
        const growth = heapAtEnd - heapAfterWarmUp;
        assert.ok(growth < HEAP_GROWTH_BOUND, `heap grew by ${(growth / 1048576).toFixed(2)} MB over ${TOTAL - WARM_UP} requests`);

        // A plain request still works and still carries a trace header while the collector is bad.
        const answer = await new Promise((resolve, reject) => {
          http.get(url, (res) => {
            res.resume();
            res.on('end', () => resolve(res));
          }).on('error', reject);
        });
        assert.equal(answer.statusCode, 200);
        assert.match(String(answer.headers['x-amzn-trace-id']), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=1$/);

        const warnings = app.stderr.split('\n').filter((line) => line.trim() !== '');
        assert.ok(warnings.length >= 1, `the outage is reported at least once (stderr: ${JSON.stringify(app.stderr)})`);
        assert.ok(warnings.length <= MAX_WARNINGS, `at most ${MAX_WARNINGS} warning lines, got ${warnings.length}:\n${warnings.slice(0, 10).join('\n')}`);
      } finally {
        await app.stop();
      }
    });
  });
}

describe('collector slower than the batch processor\'s export timeout', () => {
  /** `count` requests, 8 at a time; each one must succeed. */
  async function requests(app, count) {
    for (let sent = 0; sent < count; sent += 8) {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => get(`${app.url}/users/${sent + i}`)));
      assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([200]));
    }
  }

  it('folds the batch processor\'s timeouts into the one warning of the outage and counts the spans as failed', async () => {
    const blackHole = await startOtlpReceiver({ mode: 'blackhole', full: false });
    // The batch processor gives up after 300 ms, the OTLP request only after 10 s: every batch
    // times out in the processor, which by itself logs a raw {"stack":"Error: Timeout…"} line each time.
    const app = await startApp({
      RA_ENDPOINT: blackHole.url(),
      RA_OUTBOUND: 'false',
      OTEL_BSP_SCHEDULE_DELAY: '50',
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: '8',
      OTEL_BSP_EXPORT_TIMEOUT: '300',
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '10000',
    });
    try {
      await requests(app, 64);
      // Several batches time out while this waits (one every 300 ms).
      for (let waited = 0; waited < 10_000 && app.stderr === ''; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const lines = app.stderr.split('\n').filter((line) => line.trim() !== '');
      assert.ok(lines.every((line) => !line.includes('"stack"') && !line.includes('Error: Timeout')), `raw timeout lines:\n${lines.slice(0, 5).join('\n')}`);
      assert.equal(lines.length, 1, `one warning for the outage, got:\n${lines.slice(0, 5).join('\n')}`);
      assert.match(lines[0], /exporting spans to the OTLP collector .* failed: no answer within 270 ms/);
      await app.request({ cmd: 'flush' });
      const { stats } = await app.request({ cmd: 'stats' });
      assert.equal(stats.exported, 0);
      assert.equal(stats.failed + stats.dropped, 64, JSON.stringify(stats));
    } finally {
      await app.stop();
      await blackHole.close();
    }
  });
});
