// When an outbound call gets a span and headers, and when not: no trace, suppressed tracing
// (exporters), the app's own CLIENT span; plus redaction, odd methods, the Node 20 header hook,
// and that stopping tracing removes every hook.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, context, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { request as undiciRequest } from 'undici';
import { clientSpans, httpGet, parseXRay, recordingDownstream } from './support/outbound.mjs';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const memory = startMemoryTracing({ outbound: true, redactQueryKeys: ['token'] });
const tracer = trace.getTracer('test');
const downstream = recordingDownstream();
const { received } = downstream;

after(() => memory.tracing.shutdown());

/** Runs fn with a fresh parent span active; returns the parent once ended. */
async function inParent(fn, options = {}) {
  const parent = tracer.startSpan(options.name ?? 'handler', { kind: options.kind ?? SpanKind.INTERNAL });
  await context.with(trace.setSpan(ROOT_CONTEXT, parent), fn);
  parent.end();
  return parent;
}

async function both(path) {
  await (await fetch(`${downstream.url}${path}/fetch`)).text();
  await httpGet(`${downstream.url}${path}/http`);
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('which calls are traced', () => {
  it('outside any trace: no span and no trace headers', async () => {
    memory.reset();
    received.length = 0;
    await both('/untraced');
    await settle();
    await memory.tracing.forceFlush();
    assert.equal(memory.exporter.getFinishedSpans().length, 0);
    assert.equal(received.length, 2);
    for (const { headers } of received) {
      assert.equal(headers['x-amzn-trace-id'], undefined);
      assert.equal(headers.traceparent, undefined);
    }
  });

  it('under suppressTracing inside a trace: no span and no trace headers', async () => {
    memory.reset();
    received.length = 0;
    await inParent(() => context.with(suppressTracing(context.active()), () => both('/suppressed')));
    await settle();
    await memory.tracing.forceFlush();
    assert.deepEqual(memory.exporter.getFinishedSpans().map((s) => s.name), ['handler']);
    for (const { headers } of received) {
      assert.equal(headers['x-amzn-trace-id'], undefined);
      assert.equal(headers.traceparent, undefined);
    }
  });

  it("an OTLP exporter's own export request, made inside a trace, is neither traced nor given headers", async () => {
    const otlpReceived = [];
    const receiver = await listen(
      http.createServer((req, res) => {
        otlpReceived.push({ url: req.url, headers: req.headers });
        req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
      }),
    );
    const processor = new SimpleSpanProcessor(new OTLPTraceExporter({ url: `${receiver.url}/v1/traces` }));
    try {
      memory.reset();
      await inParent(async () => {
        const span = tracer.startSpan('exported elsewhere');
        span.end();
        processor.onEnd(span);
        await processor.forceFlush();
      });
      await settle();
      await memory.tracing.forceFlush();
      assert.equal(otlpReceived.length, 1);
      assert.equal(otlpReceived[0].url, '/v1/traces');
      assert.equal(otlpReceived[0].headers['x-amzn-trace-id'], undefined);
      assert.equal(otlpReceived[0].headers.traceparent, undefined);
      assert.equal(clientSpans(memory.exporter.getFinishedSpans()).length, 0);
    } finally {
      await processor.shutdown();
      await receiver.close();
    }
  });

  it("inside the app's own CLIENT span: headers name that span, no second span", async () => {
    memory.reset();
    received.length = 0;
    const manual = await inParent(() => both('/manual'), { name: 'manual client', kind: SpanKind.CLIENT });
    await settle();
    await memory.tracing.forceFlush();
    assert.deepEqual(memory.exporter.getFinishedSpans().map((s) => s.name), ['manual client']);
    assert.equal(received.length, 2);
    for (const { headers } of received) {
      assert.equal(parseXRay(headers['x-amzn-trace-id']).Parent, manual.spanContext().spanId);
      assert.equal(headers.traceparent, `00-${manual.spanContext().traceId}-${manual.spanContext().spanId}-01`);
    }
  });

  it('in an unsampled trace: no recorded span, and the headers carry Sampled=0 on', async () => {
    memory.reset();
    received.length = 0;
    const unsampled = trace.wrapSpanContext({ traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: 0, isRemote: true });
    await context.with(trace.setSpan(ROOT_CONTEXT, unsampled), () => both('/unsampled'));
    await settle();
    await memory.tracing.forceFlush();
    assert.equal(memory.exporter.getFinishedSpans().length, 0);
    for (const { headers } of received) {
      const xray = parseXRay(headers['x-amzn-trace-id']);
      assert.equal(xray.Root, '1-5759e988-bd862e3fe1be46a994272793');
      assert.equal(xray.Sampled, '0');
      assert.match(headers.traceparent, /^00-5759e988bd862e3fe1be46a994272793-[0-9a-f]{16}-00$/);
    }
  });
});

describe('client span details', () => {
  it('url.full hides signed query values (fetch and node:http)', async () => {
    memory.reset();
    const query = '?X-Amz-Signature=secret1&a=1&AWSAccessKeyId=AKID&sig=s3cr3t&X-Amz-Credential=cred&X-Amz-Security-Token=tok&Signature=sss&b=2';
    await inParent(async () => {
      await (await fetch(`${downstream.url}/signed${query}`)).text();
      await httpGet(`${downstream.url}/signed${query}`);
    });
    const spans = clientSpans(await memory.spans(3));
    assert.equal(spans.length, 2);
    const expected = `${downstream.url}/signed?X-Amz-Signature=REDACTED&a=1&AWSAccessKeyId=REDACTED&sig=REDACTED&X-Amz-Credential=REDACTED&X-Amz-Security-Token=REDACTED&Signature=REDACTED&b=2`;
    for (const span of spans) assert.equal(span.attributes['url.full'], expected);
  });

  it('url.full hides any spelling of those names, X-Goog-Signature, and the keys given in redactQueryKeys', async () => {
    memory.reset();
    const query = '?x-amz-signature=secret1&X%2DAmz%2DCredential=secret2&X-Goog-Signature=secret3&Token=secret4&page=2';
    await inParent(async () => {
      await (await fetch(`${downstream.url}/spelled${query}`)).text();
      await httpGet(`${downstream.url}/spelled${query}`);
    });
    const spans = clientSpans(await memory.spans(3));
    assert.equal(spans.length, 2);
    const expected = `${downstream.url}/spelled?x-amz-signature=REDACTED&X%2DAmz%2DCredential=REDACTED&X-Goog-Signature=REDACTED&Token=REDACTED&page=2`;
    for (const span of spans) assert.equal(span.attributes['url.full'], expected);
  });

  it('credentials in the URL never reach the span (undici and node:http)', async () => {
    memory.reset();
    const withCredentials = downstream.url.replace('http://', 'http://user:hunter2@');
    await inParent(async () => {
      await (await undiciRequest(`${withCredentials}/creds`)).body.text();
      await httpGet(`${withCredentials}/creds`);
    });
    const spans = clientSpans(await memory.spans(3));
    assert.equal(spans.length, 2);
    for (const span of spans) {
      assert.doesNotMatch(JSON.stringify(span.attributes), /hunter2/);
      assert.ok(span.attributes['url.full'].endsWith('/creds'));
    }
  });

  it('a method outside the semconv list is _OTHER, named HTTP, with the original kept', async () => {
    memory.reset();
    await inParent(
      () =>
        new Promise((resolve, reject) => {
          const req = http.request(`${downstream.url}/purge`, { method: 'PURGE' }, (res) => res.resume().on('end', resolve));
          req.on('error', reject);
          req.end();
        }),
    );
    const [span] = clientSpans(await memory.spans(2));
    assert.equal(span.name, 'HTTP');
    assert.equal(span.attributes['http.request.method'], '_OTHER');
    assert.equal(span.attributes['http.request.method_original'], 'PURGE');
  });

  it('a node:http request with raw array headers (rendered at once) still gets a span, without headers', async () => {
    memory.reset();
    received.length = 0;
    await inParent(
      () =>
        new Promise((resolve, reject) => {
          const req = http.request(`${downstream.url}/raw`, { headers: ['Host', `127.0.0.1:${downstream.port}`, 'x-raw', '1'] }, (res) => res.resume().on('end', resolve));
          req.on('error', reject);
          req.end();
        }),
    );
    const [span] = clientSpans(await memory.spans(2));
    assert.equal(span.attributes['http.response.status_code'], 200);
    assert.equal(received[0].headers['x-raw'], '1');
  });
});

describe('hooks', () => {
  const wrappedKey = Symbol.for('otel-xray.http-implicit-header');

  it('Node 24+ uses http.client.request.created only; older Node wraps ClientRequest.prototype._implicitHeader', () => {
    const major = Number(process.versions.node.split('.')[0]);
    assert.equal(Boolean(http.ClientRequest.prototype._implicitHeader[wrappedKey]), major < 24);
  });

  it('shutdown removes every hook: no wrapper left, no span, no headers', async () => {
    await memory.tracing.shutdown();
    assert.equal(http.ClientRequest.prototype._implicitHeader[wrappedKey], undefined);
    received.length = 0;
    const parent = trace.wrapSpanContext({ traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: 1, isRemote: true });
    await context.with(trace.setSpan(ROOT_CONTEXT, parent), () => both('/stopped'));
    assert.equal(received.length, 2);
    for (const { headers } of received) assert.equal(headers['x-amzn-trace-id'], undefined);
  });
});
