// Sampled spans of the OTLP protobuf exporters are encoded as they end (EncodingSpanProcessor):
// the batch processor behind it holds their bytes, and a request built from what it holds is
// the SDK's request for the spans themselves, byte for byte.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, SamplingDecision, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EncodingSpanProcessor } from '../dist/esm/core/exporters/encoding-processor.js';
import { EncodedSpan, encodeTraceRequest } from '../dist/esm/core/exporters/otlp-span-encoder.js';

/** The processor behind: keeps what it is handed. */
function holding() {
  const held = [];
  return { held, onStart() {}, onEnd: (span) => held.push(span), forceFlush: async () => {}, shutdown: async () => {} };
}

function tracerWith(processor, sampler = new AlwaysOnSampler()) {
  const ended = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ sampler, spanProcessors: [processor, new SimpleSpanProcessor(ended)] });
  return { tracer: provider.getTracer('orders', '1.0.0'), ended };
}

function endOne(tracer, i) {
  const span = tracer.startSpan(`GET /orders/${i}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': `/orders/${i}`, 'server.port': 8080 } });
  span.setAttribute('http.response.status_code', i % 3 === 0 ? 500 : 200);
  if (i % 3 === 0) span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
  span.addEvent('note', { i });
  span.end();
}

it('holds the bytes of each sampled span once the encoder has loaded, and the request is the SDK’s', async () => {
  const next = holding();
  const { tracer, ended } = tracerWith(new EncodingSpanProcessor(next));
  endOne(tracer, 0);
  assert.ok(!(next.held[0] instanceof EncodedSpan), 'the first span passes as it is while the encoder loads');
  for (let i = 1; i < 200 && !(next.held.at(-1) instanceof EncodedSpan); i++) {
    await new Promise((resolve) => setImmediate(resolve));
    endOne(tracer, i);
  }
  for (let i = 0; i < 5; i++) endOne(tracer, 1000 + i);
  assert.ok(next.held.at(-1) instanceof EncodedSpan, 'later spans are held as bytes');
  const spans = ended.getFinishedSpans();
  assert.equal(next.held.length, spans.length);
  assert.deepStrictEqual(Buffer.from(encodeTraceRequest(next.held)), Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)));
});

it('passes on no span that is not sampled', async () => {
  const next = holding();
  const all = holding();
  const recordOnly = { shouldSample: () => ({ decision: SamplingDecision.RECORD }), toString: () => 'RecordOnly' };
  const provider = new BasicTracerProvider({ sampler: recordOnly, spanProcessors: [new EncodingSpanProcessor(next), all] });
  const tracer = provider.getTracer('orders');
  for (let i = 0; i < 3; i++) {
    endOne(tracer, i);
    await new Promise((resolve) => setImmediate(resolve));
  }
  assert.equal(all.held.length, 3, 'recorded and ended, not sampled');
  assert.equal(next.held.length, 0);
});
