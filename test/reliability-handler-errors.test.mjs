// A handler that throws, rejects or ends the response twice still yields exactly one ended
// SERVER span per request, in every adapter.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { xrayErrorHandler, xrayTracing as expressTracing } from 'otel-xray/express';
import { xrayTracing as fastifyTracing } from 'otel-xray/fastify';
import { xrayTracing as koaTracing } from 'otel-xray/koa';
import { get } from './support/reliability.mjs';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const memory = startMemoryTracing();
const ROUNDS = 20;
const CASES = ['throw', 'reject', 'end-twice', 'send-twice'];
const servers = {};
// Node reports the second end as an 'error' on the response, traced or not; the app's listener takes it.
const ignoreWriteAfterEnd = () => {};

function expressApp() {
  const app = express();
  app.use(expressTracing());
  app.get('/case/throw', () => {
    throw new Error('thrown');
  });
  app.get('/case/reject', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('rejected');
  });
  app.get('/case/end-twice', (req, res) => {
    res.on('error', ignoreWriteAfterEnd);
    res.end('one');
    res.end('two');
  });
  app.get('/case/send-twice', (req, res) => {
    res.send('one');
    res.send('two'); // throws ERR_HTTP_HEADERS_SENT into express's error path
  });
  app.use(xrayErrorHandler());
  app.use((error, req, res, next) => {
    if (res.headersSent) return next(error);
    res.status(500).send('error');
  });
  return http.createServer(app);
}

async function fastifyApp() {
  const app = Fastify();
  await app.register(fastifyTracing);
  app.get('/case/throw', () => {
    throw new Error('thrown');
  });
  app.get('/case/reject', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('rejected');
  });
  app.get('/case/end-twice', (request, reply) => {
    reply.hijack();
    reply.raw.on('error', ignoreWriteAfterEnd);
    reply.raw.end('one');
    reply.raw.end('two');
  });
  app.get('/case/send-twice', async (request, reply) => {
    reply.send('one');
    return 'two';
  });
  await app.ready();
  return app.server;
}

function koaApp() {
  const app = new Koa();
  app.silent = true;
  app.use(koaTracing());
  const router = new Router();
  router.get('/case/throw', () => {
    throw new Error('thrown');
  });
  router.get('/case/reject', async () => {
    await new Promise((resolve) => setImmediate(resolve));
    throw new Error('rejected');
  });
  router.get('/case/end-twice', (ctx) => {
    ctx.respond = false;
    ctx.res.on('error', ignoreWriteAfterEnd);
    ctx.res.end('one');
    ctx.res.end('two');
  });
  router.get('/case/send-twice', (ctx) => {
    ctx.res.end('one'); // behind koa's back: koa's own response then finds the stream ended
    ctx.body = 'two';
  });
  app.use(router.routes());
  return http.createServer(app.callback());
}

before(async () => {
  servers.express = await listen(expressApp());
  servers.fastify = await listen(await fastifyApp());
  servers.koa = await listen(koaApp());
});
after(async () => {
  for (const server of Object.values(servers)) await server.close();
  await memory.tracing.shutdown();
});

const traceIdOf = (headers) => {
  const match = /Root=1-([0-9a-f]{8})-([0-9a-f]{24})/.exec(String(headers['x-amzn-trace-id']));
  return match ? match[1] + match[2] : undefined;
};

for (const framework of ['express', 'fastify', 'koa']) {
  describe(`handler failures (${framework})`, () => {
    for (const name of CASES) {
      it(`${name}: exactly one ended server span per request`, async () => {
        memory.reset();
        // One connection per request: a framework that destroys the socket after a double send
        // must not take other requests down with it.
        const agent = new http.Agent({ keepAlive: false });
        const traceIds = [];
        const answers = await Promise.all(
          Array.from({ length: ROUNDS }, () => get(`${servers[framework].url}/case/${name}`, { agent }).catch((error) => ({ error }))),
        );
        agent.destroy();
        for (const answer of answers) {
          if (answer.error) continue; // a response cut short is the framework's doing; its span still counts below
          if (name === 'throw' || name === 'reject') assert.equal(answer.status, 500);
          traceIds.push(traceIdOf(answer.headers));
        }
        assert.ok(traceIds.length > 0, 'some responses arrived');
        const spans = await memory.spans(ROUNDS);
        // Give any late second end a chance to show up before counting.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const server = (await memory.spans(ROUNDS)).filter((span) => span.kind === SpanKind.SERVER);
        assert.equal(server.length, ROUNDS, `${server.length} server spans for ${ROUNDS} requests (first look: ${spans.length})`);
        const perTrace = new Map();
        for (const span of server) perTrace.set(span.spanContext().traceId, (perTrace.get(span.spanContext().traceId) ?? 0) + 1);
        for (const traceId of traceIds) assert.equal(perTrace.get(traceId), 1, `trace ${traceId} has one server span`);
        for (const span of server) assert.ok(span.ended, 'the span is ended');
        if (name === 'throw' || name === 'reject') {
          for (const span of server) assert.equal(span.status.code, 2, `a ${name} sets status ERROR`);
        }
      });
    }
  });
}
