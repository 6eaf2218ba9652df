// startTracing({ outbound: false }): outbound calls inside a trace get no span and no trace headers.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, it } from 'node:test';
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { httpGet, recordingDownstream } from './support/outbound.mjs';
import { startMemoryTracing } from './support/tracing.mjs';

const memory = startMemoryTracing({ outbound: false });
const downstream = recordingDownstream();
const { received } = downstream;

after(() => memory.tracing.shutdown());

it('outbound: false leaves fetch and node:http calls untouched, even inside a trace', async () => {
  const parent = trace.getTracer('test').startSpan('handler');
  await context.with(trace.setSpan(ROOT_CONTEXT, parent), async () => {
    await (await fetch(`${downstream.url}/off-fetch`)).text();
    await httpGet(`${downstream.url}/off-http`);
  });
  parent.end();
  const spans = await memory.spans(1);
  await new Promise((resolve) => setTimeout(resolve, 30));
  assert.deepEqual(memory.exporter.getFinishedSpans().map((s) => s.name), ['handler']);
  assert.deepEqual(spans.length, 1);
  assert.equal(received.length, 2);
  for (const { headers } of received) {
    assert.equal(headers['x-amzn-trace-id'], undefined);
    assert.equal(headers.traceparent, undefined);
  }
  assert.equal(http.ClientRequest.prototype._implicitHeader[Symbol.for('otel-xray.http-implicit-header')], undefined);
});
