// Outbound calls inside a traced request: a CLIENT child span per call, and trace headers that make
// the downstream's SERVER span its child — for fetch, the undici package, node:http and node:https.
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { Agent, fetch as undiciFetch, request as undiciRequest } from 'undici';
import { clientSpans, parentIdOf, parseXRay, selfSignedCertificate, serverSpans } from './support/outbound.mjs';
import { listen, startMemoryTracing, xrayTraceId } from './support/tracing.mjs';

const memory = startMemoryTracing({ outbound: true });
const { key, cert } = selfSignedCertificate();
const received = [];
let downstream;
let secureDownstream;
let caller;
let undiciAgent;

function downstreamApp() {
  const app = express();
  app.use(xrayTracing());
  app.get('/echo/:name', (req, res) => {
    received.push({ url: req.url, headers: req.headers });
    res.json({ name: req.params.name });
  });
  return app;
}

function readBody(res) {
  return new Promise((resolve, reject) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (chunk) => (body += chunk));
    res.on('end', () => resolve(body));
    res.on('error', reject);
  });
}

/** One route per client library; each calls the downstream and relays its answer. */
function callerApp() {
  const app = express();
  app.use(xrayTracing());
  app.get('/via/fetch', async (req, res) => {
    const answer = await fetch(`${downstream.url}/echo/fetch?q=1`);
    res.json(await answer.json());
  });
  app.get('/via/undici-request', async (req, res) => {
    const answer = await undiciRequest(`${downstream.url}/echo/undici`, { dispatcher: undiciAgent });
    res.json(await answer.body.json());
  });
  app.get('/via/undici-fetch', async (req, res) => {
    const answer = await undiciFetch(`${downstream.url}/echo/undici-fetch`, { dispatcher: undiciAgent });
    res.json(await answer.json());
  });
  app.get('/via/http', (req, res, next) => {
    http
      .get(`${downstream.url}/echo/http`, async (answer) => res.json(JSON.parse(await readBody(answer))))
      .on('error', next);
  });
  app.get('/via/https', (req, res, next) => {
    https
      .get(`${secureDownstream.url.replace('http:', 'https:')}/echo/https`, { ca: cert }, async (answer) => res.json(JSON.parse(await readBody(answer))))
      .on('error', next);
  });
  app.get('/via/http-request-write', (req, res, next) => {
    // Headers rendered by write(), body sent in two chunks, then end().
    const outgoing = http.request(`${downstream.url}/echo/http-write`, { method: 'GET' }, async (answer) =>
      res.json(JSON.parse(await readBody(answer))),
    );
    outgoing.on('error', next);
    outgoing.write('');
    outgoing.end();
  });
  return app;
}

before(async () => {
  undiciAgent = new Agent();
  downstream = await listen(http.createServer(downstreamApp()));
  secureDownstream = await listen(https.createServer({ key, cert }, downstreamApp()));
  caller = await listen(http.createServer(callerApp()));
});

after(async () => {
  await Promise.all([downstream.close(), secureDownstream.close(), caller.close()]);
  await undiciAgent.close();
  await memory.tracing.shutdown();
});

/** Calls the caller's route and returns its three spans: caller SERVER, CLIENT, downstream SERVER. */
async function traceThrough(route) {
  memory.reset();
  received.length = 0;
  const answer = await fetch(`${caller.url}${route}`);
  assert.equal(answer.status, 200, await answer.clone().text());
  await answer.json();
  const spans = await memory.spans(3);
  assert.equal(spans.length, 3, spans.map((s) => s.name).join(', '));
  const [client] = clientSpans(spans);
  const callerServer = serverSpans(spans).find((s) => s.attributes['server.port'] === caller.port);
  const downstreamServer = serverSpans(spans).find((s) => s !== callerServer);
  assert.ok(client && callerServer && downstreamServer, 'one CLIENT and two SERVER spans');
  return { client, callerServer, downstreamServer, headers: received[0].headers };
}

describe('outbound propagation to a traced downstream', () => {
  const cases = [
    ['global fetch', '/via/fetch', downstreamPort, '/echo/fetch?q=1'],
    ['undici.request', '/via/undici-request', downstreamPort, '/echo/undici'],
    ['undici.fetch', '/via/undici-fetch', downstreamPort, '/echo/undici-fetch'],
    ['node:http get', '/via/http', downstreamPort, '/echo/http'],
    ['node:http request + write', '/via/http-request-write', downstreamPort, '/echo/http-write'],
    ['node:https get', '/via/https', () => secureDownstream.port, '/echo/https'],
  ];
  function downstreamPort() {
    return downstream.port;
  }

  for (const [label, route, port, path] of cases) {
    it(`${label}: CLIENT child span, headers naming it, downstream SERVER span its child`, async () => {
      const { client, callerServer, downstreamServer, headers } = await traceThrough(route);
      const { traceId, spanId } = client.spanContext();

      assert.equal(client.kind, SpanKind.CLIENT);
      assert.equal(client.name, 'GET');
      assert.equal(traceId, callerServer.spanContext().traceId);
      assert.equal(parentIdOf(client), callerServer.spanContext().spanId);
      assert.equal(downstreamServer.spanContext().traceId, traceId);
      assert.equal(parentIdOf(downstreamServer), spanId);

      const xray = parseXRay(headers['x-amzn-trace-id']);
      assert.equal(xray.Root, xrayTraceId(traceId));
      assert.equal(xray.Parent, spanId);
      assert.equal(xray.Sampled, '1');
      assert.equal(headers.traceparent, `00-${traceId}-${spanId}-01`);

      const scheme = label.includes('https') ? 'https' : 'http';
      assert.equal(client.attributes['http.request.method'], 'GET');
      assert.equal(client.attributes['server.address'], '127.0.0.1');
      assert.equal(client.attributes['server.port'], port());
      assert.equal(client.attributes['url.full'], `${scheme}://127.0.0.1:${port()}${path}`);
      assert.equal(client.attributes['http.response.status_code'], 200);
      assert.equal(client.status.code, SpanStatusCode.UNSET);
      assert.ok(client.endTime[0] * 1e9 + client.endTime[1] >= downstreamServer.endTime[0] * 1e9 + downstreamServer.endTime[1] - 1e6);
    });
  }

  it('replaces trace headers the app forwarded from its own caller instead of sending two', async () => {
    memory.reset();
    received.length = 0;
    const app = express();
    app.use(xrayTracing());
    app.get('/proxy', async (req, res) => {
      // A naive proxy: forwards the incoming trace headers as they came.
      const forwarded = { 'x-amzn-trace-id': req.headers['x-amzn-trace-id'], traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01' };
      const viaFetch = await fetch(`${downstream.url}/echo/proxy-fetch`, { headers: forwarded });
      await viaFetch.json();
      await new Promise((resolve, reject) => {
        http.get(`${downstream.url}/echo/proxy-http`, { headers: forwarded }, (answer) => readBody(answer).then(resolve, reject)).on('error', reject);
      });
      res.end('ok');
    });
    const proxy = await listen(http.createServer(app));
    try {
      const incoming = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
      const answer = await fetch(`${proxy.url}/proxy`, { headers: { 'X-Amzn-Trace-Id': incoming } });
      assert.equal(await answer.text(), 'ok');
      const spans = await memory.spans(5);
      const clients = clientSpans(spans);
      assert.equal(clients.length, 2);
      assert.equal(received.length, 2);
      for (const { url, headers } of received) {
        const client = clients.find((span) => span.attributes['url.full'].endsWith(url));
        assert.ok(client, url);
        assert.equal(client.spanContext().traceId, '5759e988bd862e3fe1be46a994272793');
        assert.doesNotMatch(headers['x-amzn-trace-id'], /,/, 'a single X-Amzn-Trace-Id value');
        assert.equal(parseXRay(headers['x-amzn-trace-id']).Parent, client.spanContext().spanId);
        assert.equal(headers.traceparent, `00-${client.spanContext().traceId}-${client.spanContext().spanId}-01`);
      }
    } finally {
      await proxy.close();
    }
  });
});
