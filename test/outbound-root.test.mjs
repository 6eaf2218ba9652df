// startTracing({ outboundRootSpans: true }): calls made outside any trace become root CLIENT spans.
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { httpGet, parseXRay, recordingDownstream } from './support/outbound.mjs';
import { startMemoryTracing, xrayTraceId } from './support/tracing.mjs';

const memory = startMemoryTracing({ outbound: true, outboundRootSpans: true });
const downstream = recordingDownstream();
const { received } = downstream;

after(() => memory.tracing.shutdown());

it('outboundRootSpans: a fetch and an http call outside any trace each start their own trace', async () => {
  await (await fetch(`${downstream.url}/root-fetch`)).text();
  await httpGet(`${downstream.url}/root-http`);
  const spans = await memory.spans(2);
  assert.equal(spans.length, 2);
  for (const span of spans) {
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(span.parentSpanContext, undefined);
  }
  assert.equal(received.length, 2);
  const traceIds = new Set();
  for (const { headers } of received) {
    const xray = parseXRay(headers['x-amzn-trace-id']);
    const span = spans.find((s) => xrayTraceId(s.spanContext().traceId) === xray.Root);
    assert.ok(span, `a span for ${headers['x-amzn-trace-id']}`);
    assert.equal(xray.Parent, span.spanContext().spanId);
    traceIds.add(xray.Root);
  }
  assert.equal(traceIds.size, 2);
});
