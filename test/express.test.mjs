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

  it('records the thrown error and marks the 500 response as an error', async () => {
    const response = await fetch(`${server.url}/boom/1`);
    assert.equal(response.status, 500);
    const [span] = await memory.spans(1);
    assert.equal(span.name, 'GET /boom/:id');
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(span.attributes['error.type'], 'Error');
    assert.deepEqual(span.events.map((event) => [event.name, event.attributes['exception.message']]), [['exception', 'unseen']]);
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

/** Every route shape the template tests use; `express` is express 5 or express 4. */
function routedApp(express) {
  const app = express();
  app.set('env', 'production');
  app.use(xrayTracing());
  const tenant = express.Router();
  tenant.get('/items/:id', (req, res) => res.send('item'));
  tenant.get('/fail/:id', () => {
    throw new Error('tenant failure');
  });
  app.use('/t/:tenant', tenant);
  const admin = express.Router();
  admin.get('/users/:id', (req, res) => res.send('user'));
  app.use('/admin', admin);
  const shared = express.Router();
  shared.get('/ping/:n', (req, res) => res.send('pong'));
  app.use('/one', shared);
  app.use('/two/:x', shared);
  const byRegExp = express.Router();
  byRegExp.get('/x/:id', (req, res) => res.send('x'));
  app.use(/^\/re\/[a-z]+/, byRegExp);
  const shop = express();
  shop.get('/orders/:orderId', (req, res) => res.send('order'));
  const region = express.Router();
  region.get('/lines/:line', (req, res) => res.send('line'));
  region.get('/maybe/:line', (req, res) => {
    if (req.query.fail !== undefined) throw new Error('sub-app failure');
    res.send('fine');
  });
  shop.use('/r/:region', region);
  app.use('/shop/:shopId', shop);
  return app;
}

for (const [version, express] of [['express 5', express5], ['express 4', express4]]) {
  describe(`${version}: span names and http.route hold route templates only`, () => {
    let memory;
    let server;
    before(async () => {
      memory = startMemoryTracing();
      server = await listen(http.createServer(routedApp(express)));
    });
    after(async () => {
      await server.close();
      await memory.tracing.shutdown();
    });

    const cases = [
      ['/t/b25o5p05/items/7', '/t/:tenant/items/:id'],
      ['/t/ZZ9PLURAL/items/8', '/t/:tenant/items/:id'],
      ['/ADMIN/users/1', '/admin/users/:id'],
      ['/Admin/USERS/2', '/admin/users/:id'],
      ['/admin/users/3', '/admin/users/:id'],
      ['/one/ping/4', '/one/ping/:n'],
      ['/two/q7q7/ping/5', '/two/:x/ping/:n'],
      ['/shop/s1x1/orders/6', '/shop/:shopId/orders/:orderId'],
      ['/shop/s2x2/r/eu9/lines/7', '/shop/:shopId/r/:region/lines/:line'],
      ['/re/abc/x/8', '/x/:id'],
    ];
    for (const [path, route] of cases) {
      it(`${path} → GET ${route}`, async () => {
        const response = await fetch(`${server.url}${path}`);
        assert.equal(response.status, 200);
        const span = await spanOfResponse(memory, response);
        assert.equal(span.name, `GET ${route}`);
        assert.equal(span.attributes['http.route'], route);
        assert.equal(span.attributes['url.path'], path);
      });
    }

    it('names a sub-app route in full when an error leaves the sub-app', async () => {
      // Learnt on an earlier request to the sub-app (the /lines/:line case above).
      const failed = await fetch(`${server.url}/shop/s3x3/r/eu1/maybe/1?fail`);
      assert.equal(failed.status, 500);
      assert.equal((await spanOfResponse(memory, failed)).attributes['http.route'], '/shop/:shopId/r/:region/maybe/:line');
      const response = await fetch(`${server.url}/shop/s3x3/r/eu1/maybe/2`);
      assert.equal(response.status, 200);
      assert.equal((await spanOfResponse(memory, response)).attributes['http.route'], '/shop/:shopId/r/:region/maybe/:line');
    });

    it('names a new sub-app route by its own template when its first request fails out of the sub-app, in full afterwards', async () => {
      const app = routedApp(express);
      const fresh = await listen(http.createServer(app));
      try {
        const failed = await fetch(`${fresh.url}/shop/s4x4/r/eu2/maybe/1?fail`);
        assert.equal(failed.status, 500);
        assert.equal((await spanOfResponse(memory, failed)).attributes['http.route'], '/maybe/:line');
        const response = await fetch(`${fresh.url}/shop/s4x4/r/eu2/maybe/2`);
        assert.equal((await spanOfResponse(memory, response)).attributes['http.route'], '/shop/:shopId/r/:region/maybe/:line');
      } finally {
        await fresh.close();
      }
    });

    it('keeps the template when an error leaves a router mounted with a parameter, and records the error', async () => {
      const response = await fetch(`${server.url}/t/acme42/fail/9`);
      assert.equal(response.status, 500);
      const span = await spanOfResponse(memory, response);
      assert.equal(span.name, 'GET /t/:tenant/fail/:id');
      assert.equal(span.events.find((event) => event.name === 'exception')?.attributes['exception.message'], 'tenant failure');
    });
  });

  describe(`${version}: errors recorded with app.use(xrayTracing()) alone`, () => {
    let memory;
    before(() => {
      memory = startMemoryTracing();
    });
    after(() => memory.tracing.shutdown());

    /** The app, traced or not: same routes, same error handling. */
    function errorApp(traced) {
      const app = express();
      app.set('env', 'production');
      if (traced) app.use(xrayTracing());
      app.get('/sync/:id', () => {
        throw new TypeError('sync failure');
      });
      app.get('/next/:id', (req, res, next) => setImmediate(() => next(new RangeError('passed to next'))));
      const nested = express.Router();
      nested.get('/deep/:id', () => {
        throw new Error('nested failure');
      });
      app.use('/n', nested);
      const sub = express();
      sub.get('/sub/:id', () => {
        throw new Error('sub-app failure');
      });
      app.use('/s', sub);
      app.get('/answered/:id', () => {
        throw Object.assign(new Error('answered by the app'), { status: 422 });
      });
      // The app's own error handler: answers /answered, passes everything else on.
      app.use((error, req, res, next) => (req.path.startsWith('/answered') ? res.status(422).send('unprocessable') : next(error)));
      return app;
    }

    it('records what no handler answered; the response is the same as without tracing', async () => {
      const traced = await listen(http.createServer(errorApp(true)));
      const plain = await listen(http.createServer(errorApp(false)));
      try {
        const cases = [
          ['/sync/1', 'TypeError', 'sync failure'],
          ['/next/2', 'RangeError', 'passed to next'],
          ['/n/deep/3', 'Error', 'nested failure'],
          ['/s/sub/4', 'Error', 'sub-app failure'],
        ];
        for (const [path, type, message] of cases) {
          const response = await fetch(`${traced.url}${path}`);
          const untraced = await fetch(`${plain.url}${path}`);
          assert.equal(response.status, 500, path);
          assert.equal(response.status, untraced.status, path);
          assert.equal(await response.text(), await untraced.text(), path);
          const span = await spanOfResponse(memory, response);
          assert.equal(span.status.code, SpanStatusCode.ERROR, path);
          assert.equal(span.attributes['error.type'], type, path);
          const exceptions = span.events.filter((event) => event.name === 'exception');
          assert.deepEqual(exceptions.map((event) => event.attributes['exception.message']), [message], path);
        }
        const answered = await fetch(`${traced.url}/answered/5`);
        assert.equal(answered.status, 422);
        assert.equal(await answered.text(), 'unprocessable');
        const span = await spanOfResponse(memory, answered);
        assert.equal(span.events.length, 0, "an error the app's own handler answers needs xrayErrorHandler()");
      } finally {
        await traced.close();
        await plain.close();
      }
    });

    it('adds its error layer once per app, however many requests', async () => {
      const app = errorApp(true);
      const server = await listen(http.createServer(app));
      try {
        const stack = () => (app._router ?? app.router).stack;
        for (let i = 0; i < 3; i++) await (await fetch(`${server.url}/sync/${i}`)).text();
        const errorLayers = stack().filter((layer) => layer.handle.name === 'recordUnansweredError');
        assert.equal(errorLayers.length, 1);
        assert.equal(stack().at(-1), errorLayers[0], 'at the end of the stack');
      } finally {
        await server.close();
      }
    });
  });
}
