// A traced app in its own process, for the reliability tests that need a separate process
// (exporter outages with --expose-gc, SIGTERM, exporters configured from the environment).
//   RA_FRAMEWORK=express|fastify|koa  RA_EXPORTER=otlp|xray-daemon  RA_ENDPOINT=<url or host:port>
//   RA_GRACEFUL=true: the app handles SIGTERM itself (close the server, then shut tracing down).
//   RA_EXPORTER=memory: spans stay in memory; {cmd:'spans'} returns what they record, as JSON.
// Routes: GET /users/:id (JSON), GET /slow/:ms (answers after ms), GET /call (calls the URL in
// its x-call-to header with secrets in the headers). IPC: 'ready' {port}; on {cmd:'heap'} →
// {heapUsed} after a forced GC; on {cmd:'flush'} → after forceFlush; on {cmd:'stats'} → {stats}
// (tracing.stats()); on {cmd:'shutdown'} → {stats} after tracing.shutdown() resolved.
import { createRequire } from 'node:module';
import http from 'node:http';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from 'otel-xray';

const require = createRequire(import.meta.url);
const framework = process.env.RA_FRAMEWORK ?? 'express';
const memory = process.env.RA_EXPORTER === 'memory' ? new InMemorySpanExporter() : undefined;
const tracing = startTracing({
  serviceName: 'reliability-app',
  exporter: memory ?? process.env.RA_EXPORTER ?? 'otlp',
  endpoint: process.env.RA_ENDPOINT,
  outbound: process.env.RA_OUTBOUND !== 'false',
});

const user = (id) => ({ id, name: 'Ada' });
const wait = (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(Number(ms) || 0, 5000)));

/** Calls `to` (a 127.0.0.1 URL) with credentials the spans must not record. */
function call(to) {
  return new Promise((resolve, reject) => {
    const target = new URL(to);
    if (target.hostname !== '127.0.0.1') throw new Error('only 127.0.0.1');
    const request = http.get(
      target,
      { headers: { authorization: 'Bearer outbound-secret-authorization', cookie: 'sid=outbound-secret-cookie', 'x-amz-security-token': 'outbound-secret-token' } },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      },
    );
    request.on('error', reject);
  });
}

async function createServer() {
  if (framework === 'express') {
    const express = require('express');
    const { xrayTracing } = await import('otel-xray/express');
    const app = express();
    app.use(xrayTracing());
    app.get('/users/:id', (req, res) => {
      res.setHeader('set-cookie', 'session=response-secret-set-cookie');
      res.json(user(req.params.id));
    });
    app.get('/slow/:ms', async (req, res) => {
      await wait(req.params.ms);
      res.json({ waited: req.params.ms });
    });
    app.get('/call', async (req, res) => res.json({ status: await call(String(req.headers['x-call-to'])) }));
    return http.createServer(app);
  }
  if (framework === 'fastify') {
    const Fastify = require('fastify');
    const { xrayTracing } = await import('otel-xray/fastify');
    const app = Fastify();
    await app.register(xrayTracing);
    app.get('/users/:id', async (request, reply) => {
      reply.header('set-cookie', 'session=response-secret-set-cookie');
      return user(request.params.id);
    });
    app.get('/slow/:ms', async (request) => {
      await wait(request.params.ms);
      return { waited: request.params.ms };
    });
    app.get('/call', async (request) => ({ status: await call(String(request.headers['x-call-to'])) }));
    await app.ready();
    return app.server;
  }
  const Koa = require('koa');
  const Router = require('@koa/router');
  const { xrayTracing } = await import('otel-xray/koa');
  const app = new Koa();
  app.use(xrayTracing());
  const router = new Router();
  router.get('/users/:id', (ctx) => {
    ctx.set('set-cookie', 'session=response-secret-set-cookie');
    ctx.body = user(ctx.params.id);
  });
  router.get('/slow/:ms', async (ctx) => {
    await wait(ctx.params.ms);
    ctx.body = { waited: ctx.params.ms };
  });
  router.get('/call', async (ctx) => {
    ctx.body = { status: await call(String(ctx.get('x-call-to'))) };
  });
  app.use(router.routes());
  return http.createServer(app.callback());
}

const server = await createServer();
server.keepAliveTimeout = 30_000;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

if (process.env.RA_GRACEFUL === 'true') {
  // The graceful pattern: stop taking connections, let requests in flight finish, then flush and exit.
  process.on('SIGTERM', () => {
    server.close(async () => {
      await tracing.shutdown();
      process.exit(0);
    });
    server.closeIdleConnections?.();
  });
}

process.on('message', async (message) => {
  if (message.cmd === 'heap') {
    for (let i = 0; i < 3; i++) {
      globalThis.gc?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    process.send({ id: message.id, heapUsed: process.memoryUsage().heapUsed });
  } else if (message.cmd === 'spans') {
    await tracing.forceFlush();
    const spans = (memory?.getFinishedSpans() ?? []).map((span) => ({
      name: span.name,
      kind: span.kind,
      attributes: span.attributes,
      events: span.events.map((event) => ({ name: event.name, attributes: event.attributes })),
      status: span.status,
      links: span.links,
    }));
    process.send({ id: message.id, spans });
  } else if (message.cmd === 'flush') {
    await tracing.forceFlush();
    process.send({ id: message.id });
  } else if (message.cmd === 'stats') {
    process.send({ id: message.id, stats: tracing.stats() });
  } else if (message.cmd === 'shutdown') {
    await tracing.shutdown();
    process.send({ id: message.id, stats: tracing.stats() });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, port: server.address().port });
