// annotate() and setMetadata(): X-Ray annotations and metadata on the request's span.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { annotate, setMetadata } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing, xrayTraceId } from './support/tracing.mjs';

// Before any tracing has started: no provider, no span. Nothing may throw.
const beforeStart = [annotate('early', 'x'), setMetadata('early', { a: 1 })];

function circular() {
  const value = { name: 'loop' };
  value.self = value;
  return value;
}

describe('annotate and setMetadata', () => {
  let memory;
  let server;

  before(async () => {
    memory = startMemoryTracing();
    const app = express();
    app.use(xrayTracing());
    app.get('/annotated', (req, res) => {
      annotate('customer_tier', 'gold');
      annotate('order_count', 3);
      annotate('vip', true);
      annotate('order-id', 'A-1');
      annotate('http.route', 'not a route');
      annotate('customer_tier', 'platinum');
      setMetadata('order', { id: 42, items: [1, 2] });
      setMetadata('note', 'handle with care');
      setMetadata('debug', { cache: 'miss' }, 'internal');
      res.send('ok');
    });
    app.get('/bad-values', async (req, res) => {
      const results = [];
      annotate('good_one', 1);
      setMetadata('good', { kept: true });
      await Promise.resolve();
      const calls = [
        () => annotate('big', 10n),
        () => annotate('object', { a: 1 }),
        () => annotate('nan', Number.NaN),
        () => annotate('infinite', Number.POSITIVE_INFINITY),
        () => annotate('nothing', undefined),
        () => annotate('', 'empty key'),
        () => annotate(undefined, 'no key'),
        () => annotate(Symbol('key'), 'symbol key'),
        () => annotate(circular(), 'object key'),
        () => setMetadata('circular', circular()),
        () => setMetadata('big', 10n),
        () => setMetadata('nested_big', { deep: { value: 1n } }),
        () => setMetadata('throwing_json', { toJSON() { throw new Error('no JSON for you'); } }),
        () => setMetadata('unprintable', { toJSON() { throw Object.create(null); } }),
        () => setMetadata('reserved', 1, 'AWS.internal'),
        () => setMetadata('number namespace', 1, 42),
        () => setMetadata('', 1),
        () => setMetadata(undefined, 1),
        () => setMetadata('__proto__', { polluted: true }),
      ];
      for (const call of calls) results.push(call());
      res.json({ survived: true, results: results.map(String) });
    });
    server = await listen(http.createServer(app));
  });

  after(async () => {
    await server.close();
    await memory.tracing.shutdown();
  });

  async function spanOf(path, init) {
    const response = await fetch(server.url + path, init);
    const body = await response.text();
    const traceId = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(response.headers.get('x-amzn-trace-id') ?? '');
    return { response, body, traceId: traceId === null ? undefined : traceId[1] + traceId[2] };
  }

  async function serverSpan(traceId) {
    for (let i = 0; i < 200; i++) {
      const span = (await memory.spans(0)).find((s) => s.spanContext().traceId === traceId);
      if (span !== undefined) return span;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.fail(`no span for ${traceId}`);
  }

  it('sets annotations and metadata on the request span', async () => {
    const { response, traceId } = await spanOf('/annotated');
    assert.equal(response.status, 200);
    const span = await serverSpan(traceId);
    assert.equal(span.attributes.customer_tier, 'platinum');
    assert.equal(span.attributes.order_count, 3);
    assert.equal(span.attributes.vip, true);
    assert.equal(span.attributes.order_id, 'A-1', 'key characters X-Ray does not allow become _');
    assert.equal(span.attributes.http_route, 'not a route');
    assert.equal(span.attributes['http.route'], '/annotated', 'an annotation never overwrites an OTel attribute');
    assert.deepEqual(span.attributes['aws.xray.annotations'], ['customer_tier', 'order_count', 'vip', 'order_id', 'http_route']);
    assert.deepEqual(JSON.parse(span.attributes['aws.xray.metadata.default']), {
      order: { id: 42, items: [1, 2] },
      note: 'handle with care',
    });
    assert.deepEqual(JSON.parse(span.attributes['aws.xray.metadata.internal']), { debug: { cache: 'miss' } });
  });

  it('never throws for bad keys and values, and keeps what was set before', async () => {
    const { response, body, traceId } = await spanOf('/bad-values');
    assert.equal(response.status, 200);
    const report = JSON.parse(body);
    assert.equal(report.survived, true);
    assert.ok(report.results.every((result) => result === 'undefined'));
    const span = await serverSpan(traceId);
    assert.deepEqual(span.attributes['aws.xray.annotations'], ['good_one']);
    for (const key of ['big', 'object', 'nan', 'infinite', 'nothing', '']) assert.equal(span.attributes[key], undefined, key);
    const metadata = JSON.parse(span.attributes['aws.xray.metadata.default']);
    assert.deepEqual(Object.keys(metadata), ['good', '__proto__']);
    assert.deepEqual(metadata.good, { kept: true });
    assert.equal(Object.getOwnPropertyDescriptor(metadata, '__proto__').value.polluted, true);
    assert.equal({}.polluted, undefined, 'no prototype pollution');
    assert.equal(span.attributes['aws.xray.metadata.AWS.internal'], undefined);
    assert.equal(span.attributes['aws.xray.metadata.42'], undefined);
  });

  it('does nothing outside a span, before tracing starts and on an unsampled request', async () => {
    assert.deepEqual(beforeStart, [undefined, undefined]);
    assert.equal(annotate('outside', 'x'), undefined);
    assert.equal(setMetadata('outside', circular()), undefined);
    const traceId = `${Math.floor(Date.now() / 1000).toString(16)}${'a'.repeat(24)}`;
    const unsampled = await spanOf('/annotated', {
      headers: { 'X-Amzn-Trace-Id': `Root=${xrayTraceId(traceId)};Parent=${'b'.repeat(16)};Sampled=0` },
    });
    assert.equal(unsampled.response.status, 200);
    assert.equal(unsampled.traceId, traceId);
    const sentinel = await spanOf('/bad-values');
    await serverSpan(sentinel.traceId);
    const spans = memory.exporter.getFinishedSpans();
    assert.equal(spans.filter((span) => span.spanContext().traceId === traceId).length, 0);
    assert.ok(spans.every((span) => span.attributes.outside === undefined && span.attributes.early === undefined));
  });
});
