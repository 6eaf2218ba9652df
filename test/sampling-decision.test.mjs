// One sampling decision per server span: the sampler is asked once per request, with the
// request's attributes and the trace id the span then carries, and its answer holds for the
// span the SDK makes (sampled), the non-recording span (not sampled) and the response header.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, test } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing } from './support/tracing.mjs';

/** Decides by path: /keep is sampled, /record is recorded but not sampled, anything else dropped. */
const calls = [];
const sampler = {
  shouldSample(context, traceId, name, kind, attributes) {
    calls.push({ traceId, name, kind, path: attributes['url.path'], parentSpanId: trace.getSpanContext(context)?.spanId });
    const path = attributes['url.path'];
    if (kind !== SpanKind.SERVER) return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    // A sampler's own attributes go on the span, over the request's.
    if (path === '/keep') return { decision: SamplingDecision.RECORD_AND_SAMPLED, attributes: { 'sampling.rule': 'keep', 'url.scheme': 'sampler' } };
    return { decision: path === '/record' ? SamplingDecision.RECORD : SamplingDecision.NOT_RECORD };
  },
  toString: () => 'ByPath',
};

let tracing;
let server;
const inside = [];
before(async () => {
  tracing = startMemoryTracing({ sampler });
  const app = express();
  app.use(xrayTracing());
  app.get(['/keep', '/record', '/drop'], (_req, res) => {
    const server = trace.getActiveSpan();
    const child = trace.getTracer('test').startSpan('work');
    inside.push({ server: server.spanContext(), recording: server.isRecording(), child: child.spanContext() });
    child.end();
    res.send('ok');
  });
  server = await listen(http.createServer(app));
});
after(async () => {
  await server.close();
  await tracing.tracing.shutdown();
});
beforeEach(() => {
  calls.length = 0;
  inside.length = 0;
  tracing.reset();
});

const get = async (path, headers = {}) => {
  const res = await fetch(`${server.url}${path}`, { headers });
  await res.text();
  const [, epoch, random, sampled] = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Sampled=([01])$/.exec(res.headers.get('x-amzn-trace-id'));
  return { traceId: epoch + random, sampled };
};

test('a sampled request: the sampler is asked once for the server span, and the exported span has the ids it was asked about', async () => {
  const { traceId, sampled } = await get('/keep');
  assert.equal(sampled, '1');
  const serverCalls = calls.filter((call) => call.kind === SpanKind.SERVER);
  assert.equal(serverCalls.length, 1);
  assert.deepEqual(serverCalls[0], { traceId, name: 'GET', kind: SpanKind.SERVER, path: '/keep', parentSpanId: undefined });
  const spans = await tracing.spans(2);
  const serverSpan = spans.find((span) => span.kind === SpanKind.SERVER);
  assert.equal(serverSpan.spanContext().traceId, traceId);
  assert.equal(serverSpan.spanContext().spanId, inside[0].server.spanId);
  assert.equal(spans.find((span) => span.name === 'work').parentSpanContext.spanId, serverSpan.spanContext().spanId);
  assert.equal(serverSpan.attributes['url.path'], '/keep');
  assert.equal(serverSpan.attributes['http.request.method'], 'GET');
  assert.equal(serverSpan.attributes['http.response.status_code'], 200);
  assert.equal(serverSpan.attributes['sampling.rule'], 'keep');
  assert.equal(serverSpan.attributes['url.scheme'], 'sampler');
});

test('an unsampled request: asked once, nothing exported, and spans inside still belong to its trace', async () => {
  const { traceId, sampled } = await get('/drop');
  assert.equal(sampled, '0');
  assert.equal(calls.filter((call) => call.kind === SpanKind.SERVER).length, 1);
  assert.equal(inside[0].recording, false);
  assert.equal(inside[0].server.traceId, traceId);
  assert.match(inside[0].server.spanId, /^(?!0{16})[0-9a-f]{16}$/);
  // The child span was decided under the unsampled server span, in the same trace.
  const childCall = calls.find((call) => call.kind !== SpanKind.SERVER);
  assert.equal(childCall.traceId, traceId);
  assert.equal(childCall.parentSpanId, inside[0].server.spanId);
  await tracing.tracing.forceFlush();
  assert.equal(tracing.exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER).length, 0);
});

test('a request recorded but not sampled: a recording span, reported as not sampled, not exported', async () => {
  const { sampled } = await get('/record');
  assert.equal(sampled, '0');
  assert.equal(calls.filter((call) => call.kind === SpanKind.SERVER).length, 1);
  assert.equal(inside[0].recording, true);
  await tracing.tracing.forceFlush();
  assert.equal(tracing.exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER).length, 0);
});

test("a caller's trace: the sampler sees the caller's trace id and parent, and the span continues them", async () => {
  const header = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
  const { traceId } = await get('/keep', { 'x-amzn-trace-id': header });
  assert.equal(traceId, '5759e988bd862e3fe1be46a994272793');
  assert.deepEqual(calls[0], { traceId, name: 'GET', kind: SpanKind.SERVER, path: '/keep', parentSpanId: '53995c3f42cd8ad8' });
  const serverSpan = (await tracing.spans(2)).find((span) => span.kind === SpanKind.SERVER);
  assert.equal(serverSpan.spanContext().traceId, traceId);
  assert.equal(serverSpan.parentSpanContext.spanId, '53995c3f42cd8ad8');
});

test('a Root-only header (ALB): the sampler is asked about that trace id, and the span keeps it with no parent', async () => {
  const { traceId } = await get('/keep', { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' });
  assert.equal(traceId, '5759e988bd862e3fe1be46a994272793');
  assert.equal(calls[0].traceId, traceId);
  const serverSpan = (await tracing.spans(2)).find((span) => span.kind === SpanKind.SERVER);
  assert.equal(serverSpan.spanContext().traceId, traceId);
  assert.equal(serverSpan.parentSpanContext, undefined);
});
