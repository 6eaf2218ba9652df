// The OTLP span encoder against the SDK's ProtobufTraceSerializer: for every input, the same
// bytes. Spans come from the SDK's own tracer where it can make them, and are built by hand
// for attribute values its tracer filters out (bytes, key-value lists, mixed arrays).
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OTLPTraceExporter as SdkProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ExportResultCode } from '@opentelemetry/core';
import { createServer } from 'node:http';
import { LazyExporter } from '../dist/esm/core/exporters/lazy-exporter.js';
import { OtlpProtobufExporter } from '../dist/esm/core/exporters/otlp-protobuf-exporter.js';
import { encodeTraceRequest } from '../dist/esm/core/exporters/otlp-span-encoder.js';
import { OtlpSpanSerializer } from '../dist/esm/core/exporters/otlp-span-serializer.js';
import { startMemoryTracing, listen } from './support/tracing.mjs';

const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const REMOTE_PARENT = { traceId: TRACE_ID, spanId: '53995c3f42cd8ad8', traceFlags: TraceFlags.SAMPLED, isRemote: true, traceState: new TraceState('xray=1,vendor=a-b') };

function assertSameBytes(spans) {
  const expected = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans));
  const actual = Buffer.from(encodeTraceRequest(spans));
  assert.deepStrictEqual(actual, expected);
}

/** Ended spans from a real SDK tracer: `make(tracer)` starts and ends them. */
function tracerSpans(make, { resource = resourceFromAttributes({ 'service.name': 'orders' }), spanLimits, scope = ['orders-scope', '1.2.3'] } = {}) {
  const exporter = new InMemorySpanExporter();
  // Always on, so a child of an unsampled parent is recorded too.
  const provider = new BasicTracerProvider({ resource, spanLimits, sampler: new AlwaysOnSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  make(provider.getTracer(...scope));
  return exporter.getFinishedSpans();
}

/** A ReadableSpan built by hand, for values the SDK's tracer would not accept. */
function handSpan(overrides = {}) {
  const context = { traceId: TRACE_ID, spanId: 'a1b2c3d4e5f60718', traceFlags: TraceFlags.SAMPLED };
  return {
    name: 'GET /users/:id',
    kind: SpanKind.SERVER,
    spanContext: () => context,
    parentSpanContext: undefined,
    startTime: [1764690000, 123456789],
    endTime: [1764690000, 223456789],
    duration: [0, 100000000],
    ended: true,
    status: { code: SpanStatusCode.UNSET },
    attributes: {},
    links: [],
    events: [],
    resource: HAND_RESOURCE,
    instrumentationScope: HAND_SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
    ...overrides,
  };
}
const HAND_RESOURCE = resourceFromAttributes({ 'service.name': 'hand', 'cloud.provider': 'aws' });
const HAND_SCOPE = { name: 'otel-xray', version: '0.1.0' };

describe('OTLP span encoder: the same bytes as the SDK', () => {
  it('encodes no spans as an empty request', () => {
    assert.equal(encodeTraceRequest([]).length, 0);
    assertSameBytes([]);
  });

  it('encodes a server span with the attributes the middleware sets', () => {
    const spans = tracerSpans((tracer) => {
      const span = tracer.startSpan('GET /users/:id', {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': 'GET',
          'url.path': '/users/42',
          'url.scheme': 'http',
          'server.address': 'api.example.com',
          'server.port': 3000,
          'network.protocol.version': '1.1',
          'user_agent.original': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
          'client.address': '203.0.113.7',
        },
      });
      span.setAttribute('http.response.status_code', 200);
      span.setAttribute('http.route', '/users/:id');
      span.setAttribute('http.response.body.size', 1234);
      span.end();
    });
    assert.equal(spans.length, 1);
    assertSameBytes(spans);
  });

  it('encodes every attribute type a tracer accepts: strings, booleans, integers, doubles and their arrays', () => {
    const spans = tracerSpans((tracer) => {
      tracer
        .startSpan('values', {
          attributes: {
            empty: '',
            text: 'plain',
            yes: true,
            no: false,
            zero: 0,
            negativeZero: -0,
            small: 7,
            negative: -1,
            minInt32: -(2 ** 31),
            maxUint32: 2 ** 32 - 1,
            above32Bits: 2 ** 32,
            maxSafe: Number.MAX_SAFE_INTEGER,
            minSafe: Number.MIN_SAFE_INTEGER,
            twoTo62: 2 ** 62,
            minInt64: -(2 ** 63),
            twoTo63: 2 ** 63,
            beyondInt64: 2 ** 70,
            half: 0.5,
            negativeDouble: -1234.5678,
            tiny: Number.MIN_VALUE,
            nan: Number.NaN,
            infinity: Number.POSITIVE_INFINITY,
            minusInfinity: Number.NEGATIVE_INFINITY,
            strings: ['a', '', 'ü'],
            booleans: [true, false],
            numbers: [1, -2, 3.5, 2 ** 63],
            withNulls: ['a', null, undefined, 'b'],
            emptyArray: [],
          },
        })
        .end();
    });
    assertSameBytes(spans);
  });

  it('encodes non-ASCII text in names, keys, values, events and status messages', () => {
    const long = 'ü'.repeat(70); // 140 bytes: a two-byte length where one character per byte would need one
    const spans = tracerSpans((tracer) => {
      const span = tracer.startSpan('GET /café/☕', { attributes: { 'clé.ünïcode': 'valeur été', emoji: '😀 smile', long, cjk: '東京都', mixed: `a${'é'.repeat(60)}` } });
      span.addEvent('événement', { détail: '🚀' });
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'échec: ☠' });
      span.end();
    });
    assertSameBytes(spans);
  });

  it('encodes lone surrogates as U+FFFD, as the SDK does', () => {
    const spans = tracerSpans((tracer) => tracer.startSpan('lone \ud800 high', { attributes: { low: 'x\udc00y', end: 'abc\ud83d', key: '\ud83d\ude00\ud800'.repeat(50) } }).end());
    assertSameBytes(spans);
  });

  it('encodes long strings whose length needs two or three bytes', () => {
    const spans = tracerSpans((tracer) => tracer.startSpan('x'.repeat(127), { attributes: { a: 'y'.repeat(128), b: 'z'.repeat(16384), c: 'é'.repeat(8192), d: 'q'.repeat(200) } }).end());
    assertSameBytes(spans);
  });

  it('encodes events with and without attributes, and their dropped counts', () => {
    const spans = tracerSpans(
      (tracer) => {
        const span = tracer.startSpan('events');
        span.addEvent('bare');
        span.addEvent('with attributes', { a: 1, b: 'two', c: [true] }, [1764690000, 5]);
        span.addEvent('too many', { one: 1, two: 2, three: 3, four: 4 });
        span.recordException(new TypeError('boom'));
        for (let i = 0; i < 5; i++) span.addEvent(`extra ${i}`);
        span.end();
      },
      { spanLimits: { eventCountLimit: 6, attributePerEventCountLimit: 2 } },
    );
    assert.ok(spans[0].droppedEventsCount > 0);
    assertSameBytes(spans);
  });

  it('encodes links with attributes, trace state, remote flags and dropped counts', () => {
    const spans = tracerSpans(
      (tracer) => {
        tracer
          .startSpan('links', {
            links: [
              { context: REMOTE_PARENT, attributes: { reason: 'retry', attempt: 2 } },
              { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: TraceFlags.NONE } },
              { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203332', traceFlags: 0xff, isRemote: false }, attributes: { a: 1, b: 2, c: 3 } },
              { context: { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203333', traceFlags: 1 } },
            ],
          })
          .end();
      },
      { spanLimits: { linkCountLimit: 3, attributePerLinkCountLimit: 2 } },
    );
    assert.ok(spans[0].droppedLinksCount > 0);
    assertSameBytes(spans);
  });

  it('encodes each status: unset, ok, error with and without a message', () => {
    const spans = tracerSpans((tracer) => {
      tracer.startSpan('unset').end();
      const ok = tracer.startSpan('ok');
      ok.setStatus({ code: SpanStatusCode.OK });
      ok.end();
      const error = tracer.startSpan('error');
      error.setStatus({ code: SpanStatusCode.ERROR });
      error.end();
      const message = tracer.startSpan('error with message');
      message.setStatus({ code: SpanStatusCode.ERROR, message: 'connection closed before the response finished' });
      message.end();
    });
    assertSameBytes(spans);
  });

  it('encodes parents: none, local, remote with trace state, and every span kind', () => {
    const spans = tracerSpans((tracer) => {
      const root = tracer.startSpan('root', { kind: SpanKind.SERVER });
      const parentContext = trace.setSpan(ROOT_CONTEXT, root);
      for (const kind of [SpanKind.INTERNAL, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER]) tracer.startSpan(`child ${kind}`, { kind }, parentContext).end();
      tracer.startSpan('remote child', { kind: SpanKind.SERVER }, trace.setSpanContext(ROOT_CONTEXT, REMOTE_PARENT)).end();
      tracer.startSpan('unsampled-flag parent', {}, trace.setSpanContext(ROOT_CONTEXT, { ...REMOTE_PARENT, traceFlags: TraceFlags.NONE, traceState: undefined })).end();
      root.end();
    });
    assert.equal(spans.length, 7);
    assertSameBytes(spans);
  });

  it('encodes dropped attributes and times far from now (nanoseconds beyond 2^53 and 2^63)', () => {
    const spans = tracerSpans(
      (tracer) => {
        tracer.startSpan('limited', { attributes: { a: 1, b: 2, c: 3, d: 4 }, startTime: [0, 0] }).end([0, 1]);
        tracer.startSpan('year 2106', { startTime: [2 ** 32 + 5, 999999999] }).end([2 ** 32 + 6, 0]);
        tracer.startSpan('from a Date', { startTime: new Date('2025-12-02T15:00:00.123Z') }).end(new Date('2025-12-02T15:00:01.456Z'));
        tracer.startSpan('from milliseconds', { startTime: 1764690000123.456 }).end(1764690000200.5);
      },
      { spanLimits: { attributeCountLimit: 2 } },
    );
    assert.equal(spans[0].droppedAttributesCount, 2);
    assertSameBytes(spans);
    assertSameBytes([handSpan({ startTime: [18446744073, 709551615], endTime: [18446744074, 5] })]);
  });

  it('groups spans by resource, then by scope, in order of first appearance', () => {
    const first = resourceFromAttributes({ 'service.name': 'one', 'deployment.environment.name': 'prod' });
    const second = resourceFromAttributes({ 'service.name': 'two' }, { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' });
    const [a1] = tracerSpans((tracer) => tracer.startSpan('a1').end(), { resource: first, scope: ['scope-a', '1'] });
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ resource: second, spanProcessors: [new SimpleSpanProcessor(exporter)] });
    provider.getTracer('scope-b').startSpan('b1').end();
    provider.getTracer('scope-c', '2.0.0', { schemaUrl: 'https://opentelemetry.io/schemas/1.28.0' }).startSpan('c1').end();
    provider.getTracer('scope-b').startSpan('b2').end();
    const [b1, c1, b2] = exporter.getFinishedSpans();
    const mixed = [b1, a1, c1, b2, a1, c1];
    assertSameBytes(mixed);
    assertSameBytes([a1, b1]);
  });

  it('encodes values only hand-made spans carry: bytes, key-value lists, mixed and nested arrays, undefined', () => {
    const spans = [
      handSpan({
        attributes: {
          bytes: new Uint8Array([0, 1, 254, 255]),
          buffer: Buffer.from('héllo'),
          emptyBytes: new Uint8Array(0),
          kvlist: { a: 1, b: 'two', nested: { c: [1, 'x', { d: null }] } },
          emptyObject: {},
          mixed: [1, 'a', true, null, 2.5, new Uint8Array([9])],
          nested: [[1, 2], ['x'], []],
          missing: undefined,
          nothing: null,
          fn: () => 1,
          big: 10n,
        },
        events: [{ name: 'plain event', time: [1764690000, 1] }],
        links: [{ context: { traceId: TRACE_ID, spanId: '0000000000000001', traceFlags: 1, isRemote: true } }],
        status: { code: SpanStatusCode.ERROR, message: '' },
        instrumentationScope: { name: 'scoped', version: '', schemaUrl: 'https://example.com/schema', attributes: { 'scope.attr': 'v' }, droppedAttributesCount: 3 },
      }),
      handSpan({ attributes: undefined, kind: undefined, parentSpanContext: { traceId: TRACE_ID, spanId: '', traceFlags: 1 } }),
      handSpan({ kind: -1, droppedAttributesCount: 300, droppedEventsCount: 2 ** 31, droppedLinksCount: 70000 }),
      handSpan({ spanContext: () => ({ traceId: 'ABCDEF0123456789abcdef0123456789', spanId: 'FEDCBA9876543210', traceFlags: 0x1ff, traceState: new TraceState('') }) }),
    ];
    assertSameBytes(spans);
  });

  it('encodes ids with characters other than hex digits as the SDK reads them, ASCII or not', () => {
    const spanContext = { traceId: 'zz-+ÿé€0123456789abcdef012345678', spanId: 'g~ \u0100\uffff0000000', traceFlags: 1 };
    assertSameBytes([handSpan({ spanContext: () => spanContext, parentSpanContext: { traceId: TRACE_ID, spanId: 'Z9z9Z9z9Z9z9Z9z9', traceFlags: 1 } })]);
  });

  it('encodes own attributes only: not those of a prototype, nor what a polluted Object.prototype adds', () => {
    const inherited = Object.assign(Object.create({ inherited: 'no' }), { own: 'yes' });
    assertSameBytes([handSpan({ attributes: inherited })]);
    Object.prototype.polluted = 'no';
    try {
      assertSameBytes([handSpan({ attributes: { own: 'yes', count: 2 } }), handSpan({ attributes: inherited })]);
    } finally {
      delete Object.prototype.polluted;
    }
    assertSameBytes([handSpan({ attributes: { own: 'yes', count: 2 } })]);
  });

  it('encodes the resource schema URL and a resource without attributes', () => {
    assertSameBytes([handSpan({ resource: resourceFromAttributes({}, { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' }) })]);
    assertSameBytes([handSpan({ resource: { attributes: undefined, schemaUrl: undefined } })]);
  });

  it('encodes a batch larger than its first buffer, and the next batch from a clean start', () => {
    const spans = tracerSpans((tracer) => {
      for (let i = 0; i < 600; i++) tracer.startSpan(`span ${i}`, { attributes: { i, text: 'x'.repeat(i % 300), 'é': 'ü'.repeat(i % 90) } }).end();
    });
    assertSameBytes(spans);
    assertSameBytes(spans.slice(0, 3));
  });

  it('returns a copy: a later request does not change an earlier one', () => {
    const spans = tracerSpans((tracer) => {
      tracer.startSpan('first').end();
      tracer.startSpan('second').end();
    });
    const first = encodeTraceRequest([spans[0]]);
    const kept = Buffer.from(first);
    encodeTraceRequest([spans[1]]);
    assert.deepStrictEqual(Buffer.from(first), kept);
  });

  it("encodes otel-xray's own server spans from real requests", async () => {
    const memory = startMemoryTracing({ serviceName: 'encoder-test', resourceAttributes: { 'cloud.provider': 'aws', 'cloud.region': 'eu-west-1' } });
    const { createServer } = await import('node:http');
    const express = (await import('express')).default;
    const { xrayTracing } = await import('otel-xray/express');
    const app = express();
    app.use(xrayTracing());
    app.get('/users/:id', (req, res) => res.status(req.params.id === '7' ? 500 : 200).json({ id: req.params.id }));
    const server = await listen(createServer(app));
    try {
      for (const id of ['1', '7', 'ü'])
        await fetch(`${server.url}/users/${encodeURIComponent(id)}?q=1`, { headers: { 'user-agent': 'encoder-test/1.0', 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' } });
      const spans = await memory.spans(3);
      assertSameBytes(spans);
    } finally {
      await server.close();
      await memory.tracing.shutdown();
    }
  });
});

describe('OTLP span encoder: random spans (property)', () => {
  const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
  const text = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.string({ unit: fc.oneof(fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), loneSurrogate), maxLength: 40 }),
    fc.string({ unit: 'grapheme-ascii', minLength: 100, maxLength: 300 }),
  );
  const number = fc.oneof(fc.integer(), fc.double(), fc.maxSafeInteger(), fc.constantFrom(2 ** 63, -(2 ** 63), 2 ** 64, -0, Number.NaN));
  const scalar = fc.oneof(text, fc.boolean(), number, fc.constantFrom(null, undefined), fc.uint8Array({ maxLength: 20 }));
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(text, tie('value'), { maxKeys: 4 })),
  }));
  const attributes = fc.option(fc.dictionary(text, value, { maxKeys: 8 }), { nil: undefined });
  const hex = (length) => fc.uint8Array({ minLength: length / 2, maxLength: length / 2 }).map((bytes) => Buffer.from(bytes).toString('hex'));
  const hrTime = fc.tuple(fc.integer({ min: 0, max: 2 ** 34 }), fc.integer({ min: 0, max: 999_999_999 }));
  const traceState = fc.option(fc.constantFrom(new TraceState('a=1'), new TraceState('xray=x,b=2'), new TraceState('')), { nil: undefined });
  const spanContext = fc.record({ traceId: hex(32), spanId: hex(16), traceFlags: fc.integer({ min: 0, max: 255 }), isRemote: fc.option(fc.boolean(), { nil: undefined }), traceState });
  const count = fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 32 - 1 }));
  const resources = [HAND_RESOURCE, resourceFromAttributes({ 'service.name': 'ü-svc', n: 1, list: ['a', 'b'] }, { schemaUrl: 'https://s' })];
  const scopes = [HAND_SCOPE, { name: 'other' }, { name: 'third', version: '2', schemaUrl: 'https://x' }];
  const span = fc
    .record({
      name: text,
      kind: fc.constantFrom(0, 1, 2, 3, 4),
      context: spanContext,
      parent: fc.option(spanContext, { nil: undefined }),
      startTime: hrTime,
      endTime: hrTime,
      status: fc.record({ code: fc.constantFrom(0, 1, 2), message: fc.option(text, { nil: undefined }) }),
      attributes,
      links: fc.array(fc.record({ context: spanContext, attributes, droppedAttributesCount: fc.option(count, { nil: undefined }) }), { maxLength: 3 }),
      events: fc.array(fc.record({ name: text, time: hrTime, attributes, droppedAttributesCount: fc.option(count, { nil: undefined }) }), { maxLength: 3 }),
      resource: fc.constantFrom(...resources),
      scope: fc.constantFrom(...scopes),
      droppedAttributesCount: count,
      droppedEventsCount: count,
      droppedLinksCount: count,
    })
    .map(({ context, parent, scope, ...fields }) => handSpan({ ...fields, spanContext: () => context, parentSpanContext: parent, instrumentationScope: scope }));

  it('matches the SDK byte for byte on random batches', () => {
    fc.assert(fc.property(fc.array(span, { maxLength: 12 }), (spans) => assertSameBytes(spans)), { numRuns: 250 });
  });
});

describe('OtlpSpanSerializer', () => {
  it('reads a partial success response as the SDK does', () => {
    // ExportTraceServiceResponse { partial_success { rejected_spans: 3, error_message: "too old" } }
    const response = Buffer.from([0x0a, 0x0b, 0x08, 0x03, 0x12, 0x07, ...Buffer.from('too old')]);
    assert.deepStrictEqual(OtlpSpanSerializer.deserializeResponse(response), { partialSuccess: { rejectedSpans: 3, errorMessage: 'too old' } });
    assert.deepStrictEqual(OtlpSpanSerializer.deserializeResponse(new Uint8Array(0)), {});
  });
});

/** A collector stand-in on 127.0.0.1 that keeps each request's headers and raw body. */
async function startCapture() {
  const requests = [];
  const server = await listen(
    createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        requests.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    }),
  );
  return { requests, url: `${server.url}/v1/traces`, close: server.close };
}

const exportOnce = (exporter, spans) => new Promise((resolve) => exporter.export(spans, resolve));

describe('OtlpProtobufExporter', () => {
  it("sends what the SDK's proto exporter sends: the same body and headers", async () => {
    const capture = await startCapture();
    const spans = tracerSpans((tracer) => {
      for (let i = 0; i < 20; i++) tracer.startSpan(`GET /items/${i}`, { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'url.path': `/items/${i}` } }).end();
    });
    const ours = new OtlpProtobufExporter({ url: capture.url, headers: { 'x-team': 'orders' } });
    const sdk = new SdkProtoExporter({ url: capture.url, headers: { 'x-team': 'orders' } });
    try {
      assert.equal((await exportOnce(ours, spans)).code, ExportResultCode.SUCCESS);
      assert.equal((await exportOnce(sdk, spans)).code, ExportResultCode.SUCCESS);
      const [mine, theirs] = capture.requests;
      assert.deepStrictEqual(mine.body, theirs.body);
      for (const header of ['content-type', 'user-agent', 'x-team', 'content-length']) assert.equal(mine.headers[header], theirs.headers[header], header);
      assert.equal(mine.headers['content-type'], 'application/x-protobuf');
    } finally {
      await ours.shutdown();
      await sdk.shutdown();
      await capture.close();
    }
  });

  it('fails the export, and does not throw, when a span cannot be encoded', async () => {
    const capture = await startCapture();
    const bad = handSpan({ spanContext: () => ({ traceId: undefined, spanId: 'a1b2c3d4e5f60718', traceFlags: 1 }) });
    const lazy = new LazyExporter(async () => new OtlpProtobufExporter({ url: capture.url }));
    try {
      // The first export loads the exporter asynchronously, the second finds it loaded.
      for (let i = 0; i < 2; i++) {
        const result = await exportOnce(lazy, [bad]);
        assert.equal(result.code, ExportResultCode.FAILED);
        assert.ok(result.error instanceof Error);
      }
      assert.equal(capture.requests.length, 0);
    } finally {
      await lazy.shutdown();
      await capture.close();
    }
  });
});
