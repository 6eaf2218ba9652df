// An exporter owns the batch it is handed: the batch processor's own array is emptied as the
// export starts (so a batch in flight does not keep its spans alive), and the exporter's copy
// stays whole however long it keeps it.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { ExportResultCode } from '@opentelemetry/core';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { startTracing } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';
import { FailureLoggingExporter } from '../dist/esm/core/exporters/failure-log.js';
import { listen } from './support/tracing.mjs';

/** An exporter that keeps every batch it gets and answers `delayMs` later. */
function keepingExporter(delayMs) {
  const batches = [];
  return {
    batches,
    export(spans, done) {
      batches.push(spans);
      setTimeout(() => done({ code: ExportResultCode.SUCCESS }), delayMs);
    },
    shutdown: async () => {},
  };
}

function endedSpans(count) {
  const tracer = new BasicTracerProvider().getTracer('test');
  return Array.from({ length: count }, (_, i) => {
    const span = tracer.startSpan(`span ${i}`);
    span.end();
    return span;
  });
}

test('the caller’s batch array is emptied as the export starts; the exporter gets all of its spans in its own array', async () => {
  const inner = keepingExporter(20);
  const exporter = new FailureLoggingExporter(inner, 'the test exporter');
  const batch = endedSpans(5);
  const spans = [...batch];
  const result = await new Promise((resolve) => exporter.export(batch, resolve));
  assert.equal(result.code, ExportResultCode.SUCCESS);
  assert.equal(batch.length, 0, 'the batch processor’s array no longer holds the spans');
  assert.equal(inner.batches.length, 1);
  assert.notEqual(inner.batches[0], batch);
  assert.deepEqual(inner.batches[0], spans);
  assert.equal(exporter.exported, 5, 'counted from the batch as it was handed over');
});

test('an app’s exporter that answers late keeps whole batches, and every request’s span is counted once', async () => {
  const appExporter = keepingExporter(30);
  const tracing = startTracing({ exporter: appExporter, flushOnSigterm: false, outbound: false });
  const app = express();
  app.use(xrayTracing());
  app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));
  const server = await listen(http.createServer(app));
  try {
    for (let i = 0; i < 40; i++) {
      const response = await fetch(`${server.url}/users/${i}`);
      assert.equal(response.status, 200);
      await response.arrayBuffer();
    }
    await tracing.forceFlush();
    const names = appExporter.batches.flat().map((span) => span.attributes['url.path']);
    assert.equal(names.length, 40);
    assert.deepEqual(new Set(names), new Set(Array.from({ length: 40 }, (_, i) => `/users/${i}`)));
    assert.equal(tracing.stats().exported, 40);
  } finally {
    await server.close();
    await tracing.shutdown();
  }
});
