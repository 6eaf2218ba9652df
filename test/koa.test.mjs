// The koa middleware, on koa 3 and koa 2 with @koa/router, through real servers and fetch.
import assert from 'node:assert/strict';
import http from 'node:http';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import Router from '@koa/router';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { xrayTracing } from 'otel-xray/koa';
import { activeSpanId, clientError, closed, contextReport, delay, describeAdapter, streamChunks } from './support/adapters.mjs';
import { listen, startMemoryTracing } from './support/tracing.mjs';

async function readJson(req) {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  return JSON.parse(raw);
}

function createApp(Koa, middlewareOptions) {
  const app = new Koa();
  // koa logs errors it handles unless silent; the responses stay koa's own.
  app.silent = true;
  if (middlewareOptions !== null) app.use(xrayTracing(middlewareOptions));

  const v1 = new Router();
  v1.get('/items/:itemId', (ctx) => {
    ctx.body = `item ${ctx.params.itemId}`;
  });
  v1.get('/fail/:id', () => {
    throw new Error('nested failure');
  });
  const api = new Router({ prefix: '/api' });
  api.use('/v1', v1.routes());

  const router = new Router();
  router.get('/users/:id', (ctx) => {
    ctx.body = `user ${ctx.params.id}`;
  });
  router.get('/status/:code', (ctx) => {
    ctx.status = Number(ctx.params.code);
    ctx.body = `status ${ctx.params.code}`;
  });
  router.get('/throw-sync', () => {
    throw new TypeError('sync failure');
  });
  router.get('/throw-async', async () => {
    await delay(2);
    throw new RangeError('async failure');
  });
  router.get('/throw-client', () => {
    throw clientError();
  });
  router.get('/context', async (ctx) => {
    ctx.body = await contextReport(Number(ctx.query.wait));
  });
  router.get('/stream', (ctx) => {
    const body = new PassThrough();
    ctx.type = 'text/plain';
    ctx.body = body;
    streamChunks((chunk) => body.write(chunk), () => body.end());
  });
  router.post('/echo', async (ctx) => {
    const received = await readJson(ctx.req);
    ctx.body = { received, spanId: activeSpanId() };
  });
  router.get('/abort', (ctx) => {
    const body = new PassThrough();
    ctx.body = body;
    body.write('first chunk\n');
    void closed(ctx.res).then(() => body.end());
  });
  router.get('/end-twice', (ctx) => {
    ctx.status = 200;
    ctx.res.end('one');
    ctx.res.end();
  });
  router.get('/throw-after-send', (ctx) => {
    ctx.status = 200;
    ctx.res.end('sent');
    throw new Error('late failure');
  });
  for (const path of ['/health', '/health/live', '/metrics/cpu', '/plain']) {
    router.get(path, (ctx) => {
      ctx.body = 'ok';
    });
  }
  app.use(api.routes());
  app.use(router.routes());
  return http.createServer(app.callback());
}

describeAdapter('koa 3', (options) => createApp(Koa3, options));
describeAdapter('koa 2', (options) => createApp(Koa2, options));

describe('koa middleware placement', () => {
  let memory;
  let server;
  before(async () => {
    memory = startMemoryTracing();
    const app = new Koa3();
    app.silent = true;
    // An error-handling middleware before the tracing one: it turns errors into 503 responses.
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch (error) {
        ctx.status = 503;
        ctx.body = { handled: error.message };
      }
    });
    app.use(xrayTracing());
    const router = new Router();
    router.get('/orders/:id', () => {
      throw new Error('handled upstream');
    });
    app.use(router.routes());
    server = await listen(http.createServer(app.callback()));
  });
  after(async () => {
    await server.close();
    await memory.tracing.shutdown();
  });

  it('records the error, names the route, and lets an outer middleware answer', async () => {
    const response = await fetch(`${server.url}/orders/1`);
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { handled: 'handled upstream' });
    const [span] = await memory.spans(1);
    assert.equal(span.name, 'GET /orders/:id');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], 'Error');
    assert.equal(span.attributes['http.response.status_code'], 503);
  });
});
