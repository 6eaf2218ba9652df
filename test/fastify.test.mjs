// The fastify plugin, on fastify 5, through real servers and fetch.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import Fastify from 'fastify';
import { xrayTracing } from 'otel-xray/fastify';
import { activeSpanId, clientError, closed, contextReport, delay, describeAdapter, streamChunks } from './support/adapters.mjs';
import { startMemoryTracing } from './support/tracing.mjs';

async function createApp(middlewareOptions) {
  const app = Fastify({ logger: false });
  if (middlewareOptions !== null) await app.register(xrayTracing, middlewareOptions);

  await app.register(
    async (api) => {
      await api.register(
        async (v1) => {
          v1.get('/items/:itemId', async (request) => `item ${request.params.itemId}`);
          v1.get('/fail/:id', () => {
            throw new Error('nested failure');
          });
        },
        { prefix: '/v1' },
      );
    },
    { prefix: '/api' },
  );

  app.get('/users/:id', async (request) => `user ${request.params.id}`);
  app.get('/status/:code', async (request, reply) => reply.code(Number(request.params.code)).send(`status ${request.params.code}`));
  app.get('/throw-sync', () => {
    throw new TypeError('sync failure');
  });
  app.get('/throw-async', async () => {
    await delay(2);
    throw new RangeError('async failure');
  });
  app.get('/throw-client', async () => {
    throw clientError();
  });
  app.get('/context', async (request) => contextReport(Number(request.query.wait)));
  app.get('/stream', (request, reply) => {
    const body = new PassThrough();
    reply.type('text/plain').send(body);
    streamChunks((chunk) => body.write(chunk), () => body.end());
  });
  app.post('/echo', async (request) => ({ received: request.body, spanId: activeSpanId() }));
  app.get('/abort', (request, reply) => {
    const body = new PassThrough();
    reply.send(body);
    body.write('first chunk\n');
    void closed(reply.raw).then(() => body.end());
  });
  app.get('/end-twice', (request, reply) => {
    reply.send('one');
    reply.send('two');
  });
  app.get('/throw-after-send', async (request, reply) => {
    reply.send('sent');
    throw new Error('late failure');
  });
  for (const path of ['/health', '/health/live', '/metrics/cpu', '/plain']) app.get(path, async () => 'ok');
  await app.ready();
  return app.server;
}

describeAdapter('fastify 5', createApp);

describe('fastify plugin options', () => {
  let memory;
  before(() => {
    memory = startMemoryTracing();
  });
  after(() => memory.tracing.shutdown());

  it('rejects a bad option at registration with a TypeError naming it', async () => {
    const app = Fastify();
    await assert.rejects(app.register(xrayTracing, { responseHeader: 1 }).ready(), {
      name: 'TypeError',
      message: /^otel-xray: responseHeader must be true or false/,
    });
  });

  it('records an error passed to a custom error handler and keeps its response', async () => {
    const app = Fastify();
    await app.register(xrayTracing);
    app.setErrorHandler((error, request, reply) => reply.code(502).send({ handled: error.message }));
    app.get('/fails', async () => {
      throw new SyntaxError('custom handled');
    });
    const response = await app.inject('/fails');
    assert.equal(response.statusCode, 502);
    assert.deepEqual(response.json(), { handled: 'custom handled' });
    const [span] = await memory.spans(1);
    assert.equal(span.name, 'GET /fails');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], 'SyntaxError');
    await app.close();
  });
});
