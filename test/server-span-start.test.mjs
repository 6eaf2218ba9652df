// A sampled server span starts in the SDK's tracer once; later ones start in the same SDK span
// class directly, with what the tracer gave the first (request/sdk-span-starter.ts). Either way,
// what reaches the exporter must be the same span.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SpanKind, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { PACKAGE_VERSION } from '../dist/esm/core/setup/version.js';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const CALLER_TRACE_ID = '6b0828471ddb26fd9d76046cc88e1690';
const CALLER_SPAN_ID = '53995c3f42cd8ad8';

/** Samples everything, and adds an attribute and a trace state of its own, as X-Ray rules or a custom sampler may. */
class AnnotatingSampler {
  shouldSample() {
    return { decision: SamplingDecision.RECORD_AND_SAMPLED, attributes: { 'sampler.rule': 'all' }, traceState: new TraceState('rule=all') };
  }
  toString() {
    return 'AnnotatingSampler';
  }
}

/** What a span shows an exporter, apart from its own ids and times. */
function shape(span) {
  return {
    name: span.name,
    kind: span.kind,
    scope: span.instrumentationScope,
    attributeKeys: Object.keys(span.attributes).sort(),
    status: span.status,
    events: span.events,
    links: span.links,
    dropped: [span.droppedAttributesCount, span.droppedEventsCount, span.droppedLinksCount],
    ended: span.ended,
    traceFlags: span.spanContext().traceFlags,
  };
}

async function serve() {
  const app = express();
  app.use(xrayTracing());
  app.get('/items/:id', (_req, res) => res.send('ok'));
  return listen(http.createServer(app));
}

/** Every string value of every span at most 4 characters: the limit applied to each span. */
function valuesCutToFour(spans) {
  for (const span of spans) {
    for (const [key, value] of Object.entries(span.attributes)) if (typeof value === 'string') assert.ok(value.length <= 4, `${key}: ${value}`);
    assert.equal(span.attributes['url.scheme'], 'http');
    assert.equal(span.attributes['network.protocol.version'], '1.1');
  }
}

/** Ten request attributes and the status code fit; the body size and the route are dropped, on every span. */
function elevenKept(spans) {
  for (const span of spans) {
    assert.equal(Object.keys(span.attributes).length, 11);
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(span.attributes['http.route'], undefined);
    assert.equal(span.droppedAttributesCount, 2);
  }
}

for (const [what, sampler, env, limitsKept] of [
  ['parentbased_always_on', 'parentbased_always_on'],
  ["a sampler's own attributes and trace state", new AnnotatingSampler()],
  ['a value length limit', 'parentbased_always_on', { OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: '4' }, valuesCutToFour],
  ['an attribute count limit that the request reaches', 'parentbased_always_on', { OTEL_ATTRIBUTE_COUNT_LIMIT: '11' }, elevenKept],
]) {
  describe(`sampled server spans, the first and the ones after it (${what})`, () => {
    let memory;
    let server;
    let spans;
    before(async () => {
      // The SDK reads its span limits from the environment when the provider is made.
      Object.assign(process.env, env);
      try {
        memory = startMemoryTracing({ sampler });
      } finally {
        for (const name of Object.keys(env ?? {})) delete process.env[name];
      }
      server = await serve();
      for (let i = 0; i < 3; i++) await (await fetch(`${server.url}/items/${i}`)).text();
      // A caller's W3C context: the parent and its trace state continue.
      const traceparent = `00-${CALLER_TRACE_ID}-${CALLER_SPAN_ID}-01`;
      await (await fetch(`${server.url}/items/3`, { headers: { traceparent, tracestate: 'caller=1' } })).text();
      spans = await memory.spans(4);
    });
    after(async () => {
      await server.close();
      await memory.tracing.shutdown();
    });

    it('are one SDK class, with the same resource, scope, attributes and status', () => {
      const [first, ...rest] = spans;
      assert.equal(first.instrumentationScope.name, 'otel-xray');
      assert.equal(first.instrumentationScope.version, PACKAGE_VERSION);
      assert.equal(first.kind, SpanKind.SERVER);
      assert.equal(first.name, 'GET /items/:id');
      assert.ok(first.attributes['http.request.method'] === 'GET' && first.attributes['http.response.status_code'] === 200);
      limitsKept?.(spans);
      for (const span of rest) {
        assert.equal(span.constructor, first.constructor);
        assert.equal(span.resource, first.resource);
        assert.deepEqual(shape(span), shape(first));
        assert.ok(span.duration[0] >= 0 && span.duration[1] >= 0);
      }
      assert.equal(memory.tracing.stats().exported, 4);
    });

    it("carry the ids, the parent and the trace state the tracer would", () => {
      const traceIds = new Set(spans.map((span) => span.spanContext().traceId));
      assert.equal(traceIds.size, 4, 'each request its own trace');
      for (const span of spans) assert.equal(span.spanContext().traceFlags, TraceFlags.SAMPLED);
      const root = spans[1];
      assert.equal(root.parentSpanContext, undefined);
      const continued = spans[3];
      assert.equal(continued.spanContext().traceId, CALLER_TRACE_ID);
      assert.equal(continued.parentSpanContext.spanId, CALLER_SPAN_ID);
      if (typeof sampler === 'string') {
        assert.equal(root.spanContext().traceState, undefined);
        assert.equal(continued.spanContext().traceState.serialize(), 'caller=1');
      } else {
        for (const span of spans) {
          assert.equal(span.spanContext().traceState.serialize(), 'rule=all');
          assert.equal(span.attributes['sampler.rule'], 'all');
        }
      }
    });
  });
}
