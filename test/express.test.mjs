// The express adapter, on express 5 and express 4, through real servers and fetch.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import express5 from 'express';
import express4 from 'express4';
import { xrayErrorHandler, xrayTracing } from 'otel-xray/express';
import { activeSpanId, clientError, closed, contextReport, delay, describeAdapter, spanOfResponse, streamChunks } from './support/adapters.mjs';
import { listen, startMemoryTracing } from './support/tracing.mjs';

/** The suite's app. express 4 does not catch rejected promises, so there the handler passes them to next. */
function createApp(express, middlewareOptions, { asyncErrors }) {
  const app = express();
  // Production mode: the default error page carries no stack trace, so traced and untraced pages are equal.
  app.set('env', 'production');
  if (middlewareOptions !== null) app.use(xrayTracing(middlewareOptions));
  app.use(express.json());

  const v1 = express.Router();
  v1.get('/items/:itemId', (req, res) => res.send(`item ${req.params.itemId}`));
  v1.get('/fail/:id', () => {
    throw new Error('nested failure');
  });
  const api = express.Router();
  api.use('/v1', v1);
  app.use('/api', api);

  app.get('/users/:id', (req, res) => res.send(`user ${req.params.id}`));
  app.get('/status/:code', (req, res) => res.status(Number(req.params.code)).send(`status ${req.params.code}`));
  app.get('/throw-sync', () => {
    throw new TypeError('sync failure');
  });
  const asyncFailure = async () => {
    await delay(2);
    throw new RangeError('async failure');
  };
  app.get('/throw-async', asyncErrors ? asyncFailure : (req, res, next) => void asyncFailure().catch(next));
  app.get('/throw-client', () => {
    throw clientError();
  });
  app.get('/context', (req, res, next) => void contextReport(Number(req.query.wait)).then((report) => res.json(report), next));
  app.get('/stream', (req, res) => {
    res.type('text/plain');
    streamChunks((chunk) => res.write(chunk), () => res.end());
  });
  app.post('/echo', (req, res) => res.json({ received: req.body, spanId: activeSpanId() }));
  app.get('/abort', async (req, res) => {
    res.write('first chunk\n');
    await closed(res);
    res.end();
  });
  app.get('/end-twice', (req, res) => {
    res.end('one');
    res.end();
  });
  app.get('/throw-after-send', (req, res) => {
    res.send('sent');
    throw new Error('late failure');
  });
  for (const path of ['/health', '/health/live', '/metrics/cpu', '/plain']) app.get(path, (req, res) => res.send('ok'));
  if (middlewareOptions !== null) app.use(xrayErrorHandler());
  return http.createServer(app);
}

describeAdapter('express 5', (options) => createApp(express5, options, { asyncErrors: true }));
describeAdapter('express 4', (options) => createApp(express4, options, { asyncErrors: false }));

describe('express without xrayErrorHandler', () => {
  let memory;
  let server;
  before(async () => {
    memory = startMemoryTracing();
    const app = express5();
    app.set('env', 'production');
    app.use(xrayTracing());
    app.get('/boom/:id', () => {
      throw new Error('unseen');
    });
    server = await listen(http.createServer(app));
  });
  after(async () => {
    await server.close();
    await memory.tracing.shutdown();
  });

  it('still marks the 500 response as an error, without the exception', async () => {
    const response = await fetch(`${server.url}/boom/1`);
    assert.equal(response.status, 500);
    const [span] = await memory.spans(1);
    assert.equal(span.name, 'GET /boom/:id');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], '500');
    assert.equal(span.events.length, 0);
  });

  it('keeps the exception but not ERROR when the app answers a thrown error with a 4xx', async () => {
    const app = express5();
    app.use(xrayTracing());
    app.post('/orders', () => {
      throw Object.assign(new Error('quantity must be positive'), { name: 'ValidationError' });
    });
    app.use(xrayErrorHandler());
    app.use((error, req, res, _next) => res.status(400).json({ invalid: error.message }));
    const validating = await listen(http.createServer(app));
    try {
      const response = await fetch(`${validating.url}/orders`, { method: 'POST' });
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), { invalid: 'quantity must be positive' });
      const span = await spanOfResponse(memory, response);
      assert.equal(span.name, 'POST /orders');
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      assert.equal(span.attributes['error.type'], undefined);
      assert.equal(span.attributes['http.response.status_code'], 400);
      assert.equal(span.events.find((event) => event.name === 'exception')?.attributes['exception.message'], 'quantity must be positive');
    } finally {
      await validating.close();
    }
  });

  it('records the full path and route when the middleware is mounted under a path', async () => {
    const app = express5();
    const api = express5.Router();
    api.get('/users/:id', (req, res) => res.send('ok'));
    app.use('/api', xrayTracing(), api);
    const mounted = await listen(http.createServer(app));
    try {
      const response = await fetch(`${mounted.url}/api/users/1?full=1`);
      assert.equal(response.status, 200);
      const span = await spanOfResponse(memory, response);
      assert.equal(span.name, 'GET /api/users/:id');
      assert.equal(span.attributes['url.path'], '/api/users/1');
    } finally {
      await mounted.close();
    }
  });

  it('ignores consistently with a /g RegExp, and traces when the ignore function throws', async () => {
    const app = express5();
    app.use('/regexp', xrayTracing({ ignore: /^\/regexp\/health/g }));
    app.use('/throwing', xrayTracing({ ignore: () => { throw new Error('predicate bug'); } }));
    app.get('/regexp/health', (req, res) => res.send('ok'));
    app.get('/throwing/health', (req, res) => res.send('ok'));
    const ignoring = await listen(http.createServer(app));
    try {
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${ignoring.url}/regexp/health`);
        assert.equal(response.status, 200);
        assert.equal(response.headers.get('x-amzn-trace-id'), null, `request ${i} ignored`);
      }
      const response = await fetch(`${ignoring.url}/throwing/health`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'ok');
      assert.equal((await spanOfResponse(memory, response)).name, 'GET /throwing/health');
    } finally {
      await ignoring.close();
    }
  });

  it('rejects unknown and bad middleware options with a TypeError naming them', () => {
    assert.throws(() => xrayTracing({ ignorePaths: ['/health'] }), { name: 'TypeError', message: /^otel-xray: unknown middleware option "ignorePaths" \(allowed: responseHeader, ignore\)/ });
    assert.throws(() => xrayTracing({ responseHeader: 'yes' }), { name: 'TypeError', message: /^otel-xray: responseHeader must be true or false/ });
    assert.throws(() => xrayTracing({ ignore: ['health'] }), { name: 'TypeError', message: /^otel-xray: ignore must be a path string starting with "\/", a RegExp/ });
    assert.throws(() => xrayTracing({ ignore: 42 }), { name: 'TypeError', message: /^otel-xray: ignore must be .*\(got 42\)/ });
    assert.throws(() => xrayTracing('all'), { name: 'TypeError', message: /^otel-xray: middleware options must be an object/ });
  });
});
