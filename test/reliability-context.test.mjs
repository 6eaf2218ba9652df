// Context isolation: 1,000 concurrent requests per adapter, each awaiting timers and making an
// outbound call (fetch or node:http, traced by otel-xray's outbound tracing); no trace id crosses
// from one request to another — not in the handler, not in the headers sent downstream, not in spans.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SpanKind, trace } from '@opentelemetry/api';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { xrayTracing as expressTracing } from 'otel-xray/express';
import { xrayTracing as fastifyTracing } from 'otel-xray/fastify';
import { xrayTracing as koaTracing } from 'otel-xray/koa';
import { startMemoryTracing } from './support/tracing.mjs';

const CONCURRENT = 1000;
const memory = startMemoryTracing({ outbound: true });
let downstream;
const servers = {};

/** Listens with a backlog that takes 1,000 simultaneous connections. */
async function listenWide(server) {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', 2048, resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function httpGet(url) {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

/** What a handler sees: the active trace id around awaits, and the headers its outbound call carried. */
async function observe(n) {
  const seen = [trace.getActiveSpan()?.spanContext().traceId];
  await pause(n % 7);
  seen.push(trace.getActiveSpan()?.spanContext().traceId);
  const echoed = n % 2 === 0 ? await (await fetch(`${downstream.url}/echo/${n}`)).json() : await httpGet(`${downstream.url}/echo/${n}`);
  seen.push(trace.getActiveSpan()?.spanContext().traceId);
  await new Promise((resolve) => setImmediate(resolve));
  seen.push(trace.getActiveSpan()?.spanContext().traceId);
  return { seen, echoed };
}

function expressApp() {
  const app = express();
  app.use(expressTracing());
  app.get('/work/:n', async (req, res) => res.json(await observe(Number(req.params.n))));
  return http.createServer(app);
}

async function fastifyApp() {
  const app = Fastify();
  await app.register(fastifyTracing);
  app.get('/work/:n', (request) => observe(Number(request.params.n)));
  await app.ready();
  return app.server;
}

function koaApp() {
  const app = new Koa();
  app.use(koaTracing());
  const router = new Router();
  router.get('/work/:n', async (ctx) => {
    ctx.body = await observe(Number(ctx.params.n));
  });
  app.use(router.routes());
  return http.createServer(app.callback());
}

before(async () => {
  downstream = await listenWide(
    http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ xray: req.headers['x-amzn-trace-id'] ?? null, traceparent: req.headers.traceparent ?? null }));
    }),
  );
  servers.express = await listenWide(expressApp());
  servers.fastify = await listenWide(await fastifyApp());
  servers.koa = await listenWide(koaApp());
});
after(async () => {
  for (const server of [downstream, ...Object.values(servers)]) await server.close();
  await memory.tracing.shutdown();
});

/** A distinct incoming X-Ray trace per request. */
function incoming(n, base) {
  const traceId = `${base}${n.toString(16).padStart(24, '0')}`;
  return { traceId, header: `Root=1-${base}-${n.toString(16).padStart(24, '0')};Parent=${(n + 1).toString(16).padStart(16, '0')};Sampled=1` };
}

for (const framework of ['express', 'fastify', 'koa']) {
  describe(`context isolation (${framework})`, () => {
    it(`${CONCURRENT} concurrent requests with outbound calls keep their own trace`, async () => {
      memory.reset();
      const base = Math.floor(Date.now() / 1000).toString(16);
      const agent = new http.Agent({ keepAlive: false });
      const results = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, n) => {
          const { traceId, header } = incoming(n, base);
          return new Promise((resolve, reject) => {
            http
              .get(`${servers[framework].url}/work/${n}`, { agent, headers: { 'x-amzn-trace-id': header } }, (res) => {
                let body = '';
                res.setEncoding('utf8');
                res.on('data', (chunk) => (body += chunk));
                res.on('end', () => resolve({ n, traceId, status: res.statusCode, body }));
              })
              .on('error', reject);
          });
        }),
      );
      agent.destroy();
      for (const { n, traceId, status, body } of results) {
        assert.equal(status, 200, `request ${n}: ${body}`);
        const { seen, echoed } = JSON.parse(body);
        assert.deepEqual(seen, [traceId, traceId, traceId, traceId], `request ${n} saw only its own trace in the handler`);
        const xrayRoot = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(String(echoed.xray));
        assert.ok(xrayRoot, `request ${n}: outbound X-Amzn-Trace-Id ${echoed.xray}`);
        assert.equal(xrayRoot[1] + xrayRoot[2], traceId, `request ${n}: outbound X-Amzn-Trace-Id names its own trace`);
        assert.equal(String(echoed.traceparent).split('-')[1], traceId, `request ${n}: outbound traceparent names its own trace`);
      }

      const spans = await memory.spans(CONCURRENT * 2, 20_000);
      const serverSpans = new Map();
      for (const span of spans) if (span.kind === SpanKind.SERVER) serverSpans.set(span.spanContext().traceId, span);
      assert.equal(serverSpans.size, CONCURRENT, 'one server span per request, each in its own trace');
      const clientSpans = spans.filter((span) => span.kind === SpanKind.CLIENT);
      assert.equal(clientSpans.length, CONCURRENT, 'one client span per outbound call');
      for (const client of clientSpans) {
        const parent = serverSpans.get(client.spanContext().traceId);
        assert.ok(parent, 'the client span belongs to a request trace');
        assert.equal(client.parentSpanContext?.spanId ?? client.parentSpanId, parent.spanContext().spanId, 'its parent is that request’s server span');
      }
    });
  });
}
