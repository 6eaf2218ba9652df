// A small traced app, bundled into one file by test/bundle.test.mjs and run from a directory with no
// node_modules: a caller route makes a fetch and a node:http call to a downstream that records the
// headers it gets; the app prints the finished spans and those headers as JSON.
import http from 'node:http';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { startTracing } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';

const exporter = new InMemorySpanExporter();
const tracing = startTracing({ exporter, serviceName: 'bundled-app', flushOnSigterm: false });
const received = [];

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

// No top-level await: the same source is also bundled as CommonJS.
async function main() {
  const downstream = http.createServer((req, res) => {
    received.push({ url: req.url, xray: req.headers['x-amzn-trace-id'], traceparent: req.headers.traceparent });
    res.end('ok');
  });
  const downstreamPort = await listen(downstream);

  const app = express();
  app.use(xrayTracing());
  app.get('/call', async (req, res) => {
    const viaFetch = await (await fetch(`http://127.0.0.1:${downstreamPort}/via-fetch`)).text();
    const viaHttp = await new Promise((resolve, reject) => {
      http
        .get(`http://127.0.0.1:${downstreamPort}/via-http`, (answer) => {
          let body = '';
          answer.on('data', (chunk) => (body += chunk));
          answer.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
    res.send(`${viaFetch}+${viaHttp}`);
  });
  const caller = http.createServer(app);
  const callerPort = await listen(caller);

  const answer = await (await fetch(`http://127.0.0.1:${callerPort}/call`)).text();
  await new Promise((resolve) => setTimeout(resolve, 50));
  await tracing.forceFlush();
  const spans = exporter.getFinishedSpans().map((span) => ({
    name: span.name,
    kind: span.kind,
    traceId: span.spanContext().traceId,
    spanId: span.spanContext().spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    url: span.attributes['url.full'],
  }));
  process.stdout.write(JSON.stringify({ answer, spans, received }));
  caller.close();
  downstream.close();
  await tracing.shutdown();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
