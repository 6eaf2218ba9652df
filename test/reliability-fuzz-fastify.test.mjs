// Fuzzed X-Amzn-Trace-Id, traceparent and baggage headers against the fastify adapter: no crash,
// no 5xx, valid response headers, and a new trace whenever the incoming one is invalid.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { BATCH, RUNS, fuzzHeaders, fuzzServer, rawSocketCases } from './support/reliability-fuzz.mjs';
import { startMemoryTracing } from './support/tracing.mjs';

const memory = startMemoryTracing();
let server;
before(async () => {
  server = await fuzzServer('fastify');
});
after(async () => {
  await server.close();
  await memory.tracing.shutdown();
});

it(`${BATCH * RUNS} fuzzed header sets over keep-alive connections`, async () => {
  let ended = 0;
  const { cases, sampled } = await fuzzHeaders(server, {
    // Count (and drop) the exported spans as we go.
    spans: async () => {
      await memory.tracing.forceFlush();
      ended += memory.exporter.getFinishedSpans().length;
      memory.reset();
    },
  });
  await memory.tracing.forceFlush();
  ended += memory.exporter.getFinishedSpans().length;
  assert.equal(cases, BATCH * RUNS);
  assert.ok(sampled > cases / 2, 'most cases are sampled');
  assert.equal(ended, sampled, 'one exported span per sampled request');
});

it('raw-socket requests: CR, LF, NUL, 16 KB and repeated headers', async () => {
  const statuses = await rawSocketCases(server);
  // Node's parser refuses what HTTP forbids; tracing sees the rest and must not turn it into a 5xx.
  assert.equal(statuses['repeated baggage'], 200);
  assert.equal(statuses['12 KB X-Amzn-Trace-Id'], 200);
});
