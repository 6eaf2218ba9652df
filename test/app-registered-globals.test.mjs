// An app that registered its own OpenTelemetry propagator and context manager before
// startTracing keeps them: requests are continued by the app's propagator (whatever headers it
// reads) and handlers see the request's span through the app's context manager.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing } from './support/tracing.mjs';

/** A propagator of the app's own: `x-app-trace: <trace id>/<span id>`. */
const appPropagator = {
  inject(ctx, carrier, setter) {
    const spanContext = trace.getSpanContext(ctx);
    if (spanContext !== undefined) setter.set(carrier, 'x-app-trace', `${spanContext.traceId}/${spanContext.spanId}`);
  },
  extract(ctx, carrier, getter) {
    const value = getter.get(carrier, 'x-app-trace');
    if (typeof value !== 'string') return ctx;
    const [traceId, spanId] = value.split('/');
    return trace.setSpanContext(ctx, { traceId, spanId, traceFlags: 1, isRemote: true });
  },
  fields: () => ['x-app-trace'],
};

const appContextManager = new AsyncLocalStorageContextManager().enable();

describe('an app with its own propagator and context manager', () => {
  let memory;
  let server;
  before(async () => {
    // Registered before startTracing, as an app's own OpenTelemetry set-up would be.
    propagation.setGlobalPropagator(appPropagator);
    context.setGlobalContextManager(appContextManager);
    memory = startMemoryTracing({ sampler: 'parentbased_always_on' });
    const app = express();
    app.use(xrayTracing());
    app.get('/span', (req, res) => {
      setImmediate(() => res.json({ spanId: trace.getActiveSpan()?.spanContext().spanId ?? null }));
    });
    server = await listen(http.createServer(app));
  });
  after(async () => {
    await server.close();
    await memory.tracing.shutdown();
  });

  const get = (headers) =>
    new Promise((resolve, reject) => {
      http
        .get(`${server.url}/span`, { headers }, (res) => {
          let body = '';
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve(JSON.parse(body)));
        })
        .on('error', reject);
    });

  it('continues a caller named only by a header the app propagator reads', async () => {
    const traceId = '6b0828471ddb26fd9d76046cc88e1690';
    const callerSpanId = '53995c3f42cd8ad8';
    memory.reset();
    const body = await get({ 'x-app-trace': `${traceId}/${callerSpanId}` });
    const [span] = await memory.spans(1);
    assert.equal(span.spanContext().traceId, traceId);
    assert.equal(span.parentSpanContext?.spanId, callerSpanId);
    assert.equal(body.spanId, span.spanContext().spanId, 'the handler sees the server span through the app context manager');
  });

  it('starts a new trace for a request without the header, the span active in the handler', async () => {
    memory.reset();
    const body = await get({});
    const [span] = await memory.spans(1);
    assert.equal(span.parentSpanContext, undefined);
    assert.equal(body.spanId, span.spanContext().spanId);
    assert.equal(context.active(), ROOT_CONTEXT, 'nothing leaks into the test');
  });
});
