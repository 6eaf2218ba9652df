// One small app per framework, traced by otel-xray, for the ALB / API Gateway / Lambda tests.
// GET /orders/:id answers with what the handler sees: the active span and the X-Amzn-Trace-Id
// it would send on a call downstream.
import { context, defaultTextMapSetter, propagation, trace } from '@opentelemetry/api';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { xrayTracing as expressTracing } from 'otel-xray/express';
import { xrayTracing as fastifyTracing } from 'otel-xray/fastify';
import { xrayTracing as koaTracing } from 'otel-xray/koa';

function handlerView(id) {
  const carrier = {};
  propagation.inject(context.active(), carrier, defaultTextMapSetter);
  const spanContext = trace.getActiveSpan()?.spanContext();
  return { id, traceId: spanContext?.traceId, spanId: spanContext?.spanId, downstream: carrier['X-Amzn-Trace-Id'] ?? null };
}

export function expressApp() {
  const app = express();
  app.use(expressTracing());
  app.get('/orders/:id', (req, res) => res.json(handlerView(req.params.id)));
  return app;
}

/** Not yet ready: adapters such as @fastify/aws-lambda still decorate it. */
export async function fastifyApp() {
  const app = Fastify({ logger: false });
  await app.register(fastifyTracing);
  app.get('/orders/:id', async (request) => handlerView(request.params.id));
  return app;
}

export function koaApp() {
  const app = new Koa();
  const router = new Router();
  app.use(koaTracing());
  router.get('/orders/:id', (ctx) => {
    ctx.body = handlerView(ctx.params.id);
  });
  app.use(router.routes());
  return app;
}

/** Each framework's app listening on 127.0.0.1: { name, url, close }. */
export async function listenAll(listen) {
  const servers = [];
  const fastify = await fastifyApp();
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  servers.push({ name: 'fastify', url: `http://127.0.0.1:${fastify.server.address().port}`, close: () => fastify.close() });
  const { createServer } = await import('node:http');
  for (const [name, make] of [['express', expressApp], ['koa', koaApp]]) {
    const app = make();
    const server = createServer(name === 'koa' ? app.callback() : app);
    servers.push({ name, ...(await listen(server)) });
  }
  return servers;
}
