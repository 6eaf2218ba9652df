// 1,000 traced requests in flight at once, each making an outbound call (fetch or node:http):
// every downstream request carries its own caller's trace, and every span ends.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { Agent } from 'undici';
import { parseXRay } from './support/outbound.mjs';
import { startMemoryTracing, xrayTraceId } from './support/tracing.mjs';

const TOTAL = 1000;
process.env.OTEL_BSP_MAX_QUEUE_SIZE = String(TOTAL * 4);
const memory = startMemoryTracing({ outbound: true });

const received = new Map();
const held = [];
let releaseTimer;
let downstream;
let caller;
let clientAgent;

function release() {
  clearTimeout(releaseTimer);
  for (const res of held.splice(0)) res.end('ok');
}

/** Holds every response until all TOTAL requests have arrived, so all of them are in flight together. */
function downstreamHandler(req, res) {
  received.set(req.url.slice('/d/'.length), { xray: req.headers['x-amzn-trace-id'], traceparent: req.headers.traceparent });
  held.push(res);
  if (received.size === TOTAL) release();
  else if (held.length === 1) releaseTimer = setTimeout(release, 20_000);
}

function callerApp() {
  const app = express();
  app.use(xrayTracing());
  app.get('/work/:n', (req, res, next) => {
    const target = `${downstream.url}/d/${req.params.n}`;
    if (Number(req.params.n) % 2 === 0) {
      fetch(target)
        .then((answer) => answer.text())
        .then((body) => res.send(body), next);
    } else {
      http
        .get(target, (answer) => {
          let body = '';
          answer.on('data', (chunk) => (body += chunk));
          answer.on('end', () => res.send(body));
        })
        .on('error', next);
    }
  });
  return app;
}

/** Like the shared listen(), with a backlog deep enough for TOTAL connections arriving at once. */
async function listen(server) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', backlog: TOTAL * 2 }, resolve);
  });
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise((resolve) => server.close(resolve)) };
}

before(async () => {
  clientAgent = new Agent({ connections: TOTAL });
  downstream = await listen(http.createServer(downstreamHandler));
  caller = await listen(http.createServer(callerApp()));
});

after(async () => {
  release();
  await clientAgent.close();
  await Promise.all([caller.close(), downstream.close()]);
  await memory.tracing.shutdown();
});

/** A distinct X-Ray trace id per request: epoch seconds, then the request number in the random part. */
function traceIdFor(n) {
  const seconds = Math.floor(Date.now() / 1000).toString(16);
  return `${seconds}${String(n).padStart(24, '0')}`;
}

it(`${TOTAL} concurrent traced requests each carry their own trace downstream; no span left unended`, async () => {
  const sent = new Map();
  const answers = await Promise.all(
    Array.from({ length: TOTAL }, async (_, n) => {
      const traceId = traceIdFor(n);
      sent.set(String(n), traceId);
      const answer = await fetch(`${caller.url}/work/${n}`, {
        dispatcher: clientAgent,
        headers: { 'X-Amzn-Trace-Id': `Root=${xrayTraceId(traceId)};Parent=53995c3f42cd8ad8;Sampled=1` },
      });
      return [answer.status, await answer.text()];
    }),
  );
  assert.ok(answers.every(([status, body]) => status === 200 && body === 'ok'));
  assert.equal(received.size, TOTAL, 'all requests were held downstream at the same time');

  const spans = await memory.spans(2 * TOTAL, 20_000);
  const servers = spans.filter((span) => span.kind === SpanKind.SERVER);
  const clients = spans.filter((span) => span.kind === SpanKind.CLIENT);
  assert.equal(servers.length, TOTAL);
  assert.equal(clients.length, TOTAL);

  const clientBySpanId = new Map(clients.map((span) => [span.spanContext().spanId, span]));
  const serverByTrace = new Map(servers.map((span) => [span.spanContext().traceId, span]));
  for (const [n, { xray, traceparent }] of received) {
    const traceId = sent.get(n);
    const header = parseXRay(xray);
    assert.equal(header.Root, xrayTraceId(traceId), `request ${n} carried its own trace id`);
    assert.equal(traceparent.split('-')[1], traceId);
    // The span the header names was ended, belongs to that trace and is the child of that request's server span.
    const client = clientBySpanId.get(header.Parent);
    assert.ok(client, `request ${n}: its CLIENT span ended`);
    assert.equal(client.spanContext().traceId, traceId);
    assert.equal(client.parentSpanContext?.spanId, serverByTrace.get(traceId).spanContext().spanId);
    assert.ok(client.attributes['url.full'].endsWith(`/d/${n}`));
  }
});
