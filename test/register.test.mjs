// Zero-code start: apps with no tracing code, started with --import / --require otel-xray/register.
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import { KIND, REPO_ROOT, exportTo, startApp, startOtlpReceiver } from './support/child-apps.mjs';

const EXPRESS_ESM = 'examples/auto-instrumentation/app.mjs';
const EXPRESS_CJS = 'test/fixtures/zero-code/express-app.cjs';
const FASTIFY = 'test/fixtures/zero-code/fastify-app.mjs';
const KOA = 'test/fixtures/zero-code/koa-app.mjs';

/** GET/POST over a keep-alive agent with one socket, so consecutive requests share a connection. */
function request(url, { method = 'GET', body, agent, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, {
      method,
      agent,
      headers: payload === undefined ? headers : { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text, json: () => JSON.parse(text) }));
    });
    req.end(payload);
  });
}

const serverSpans = (spans) => spans.filter((span) => span.kind === KIND.SERVER);

/** A fresh OTLP receiver for one test, closed when it ends. */
async function freshReceiver(t) {
  const receiver = await startOtlpReceiver();
  t.after(() => receiver.close());
  return receiver;
}

// Each test runs its own child processes and receiver, so they may run side by side.
describe('zero-code start', { concurrency: 3 }, () => {
  describe('node --import otel-xray/register (ESM app)', () => {
    test('traces an unmodified express app: SERVER span per request named by the route, active in the handler, outbound as CLIENT child', async (t) => {
      const receiver = await freshReceiver(t);
      const app = await startApp(['--import', 'otel-xray/register', EXPRESS_ESM], exportTo(receiver));
      try {
        const res = await request(`${app.url}/orders/1`);
        assert.equal(res.status, 200);
        const spans = await receiver.waitFor((all) => serverSpans(all).length >= 2, 'two server spans');
        const outer = spans.find((span) => span.name === 'GET /orders/:id');
        assert.ok(outer, `no "GET /orders/:id" span in ${spans.map((s) => s.name)}`);
        assert.equal(outer.kind, KIND.SERVER);
        assert.equal(outer.parentSpanId, undefined);
        assert.equal(outer.attributes['http.route'], '/orders/:id');
        assert.equal(outer.attributes['http.request.method'], 'GET');
        assert.equal(outer.attributes['url.path'], '/orders/1');
        assert.equal(outer.attributes['http.response.status_code'], 200);
        assert.equal(outer.resource['service.name'], 'example');
        assert.match(res.headers['x-amzn-trace-id'], new RegExp(`^Root=1-${outer.traceId.slice(0, 8)}-${outer.traceId.slice(8)};Sampled=1$`));
        // The handler's fetch ran with the server span active: its CLIENT span is the server span's child.
        const client = spans.find((span) => span.kind === KIND.CLIENT);
        assert.ok(client, 'no CLIENT span for the outbound fetch');
        assert.equal(client.parentSpanId, outer.spanId);
        const inner = spans.find((span) => span.name === 'GET /stock/:item');
        assert.equal(inner.traceId, outer.traceId);
        assert.equal(inner.parentSpanId, client.spanId);
      } finally {
        await app.stop();
      }
    });
  });

  describe('node --require otel-xray/register (CJS app)', { concurrency: 1 }, () => {
    let app;
    let receiver;
    before(async () => {
      receiver = await startOtlpReceiver();
      app = await startApp(['--require', 'otel-xray/register', EXPRESS_CJS], exportTo(receiver, { OTEL_XRAY_IGNORE_PATHS: '/health' }));
    });
    after(async () => {
      await app.stop();
      await receiver.close();
    });

    test('the server span is active in handlers, after body parsing and across timers', async () => {
      receiver.spans.length = 0;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const get = (await request(`${app.url}/users/7`, { agent })).json();
      const post = (await request(`${app.url}/users/8`, { method: 'POST', body: { name: 'ana' }, agent })).json();
      const later = (await request(`${app.url}/later/9`, { agent })).json();
      agent.destroy();
      const spans = await receiver.waitFor((all) => serverSpans(all).length >= 3, 'three server spans');
      const byPath = (path) => spans.find((span) => span.attributes['url.path'] === path);
      assert.equal(get.spanId, byPath('/users/7').spanId);
      assert.equal(post.spanId, byPath('/users/8').spanId);
      assert.equal(later.spanId, byPath('/later/9').spanId);
      assert.equal(byPath('/users/8').name, 'POST /users/:id');
      assert.equal(byPath('/later/9').name, 'GET /later/:id');
    });

    test('names requests through a router mounted with a parameter by the template, never the raw value or its case', async () => {
      for (const path of ['/t/b25o5p05/items/1', '/T/zz9plural/ITEMS/2']) assert.equal((await request(`${app.url}${path}`)).status, 200);
      const spans = await receiver.waitFor((all) => all.filter((span) => /^\/t\//i.test(span.attributes['url.path'] ?? '')).length >= 2, 'two tenant spans');
      const tenantSpans = spans.filter((span) => /^\/t\//i.test(span.attributes['url.path'] ?? ''));
      assert.deepEqual(tenantSpans.map((span) => [span.name, span.attributes['http.route']]), [
        ['GET /t/:tenant/items/:id', '/t/:tenant/items/:id'],
        ['GET /t/:tenant/items/:id', '/t/:tenant/items/:id'],
      ]);
    });

    test('a request that is not traced does not inherit the previous request context on a keep-alive connection', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const traced = await request(`${app.url}/users/1`, { agent });
      assert.notEqual(traced.json().spanId, null);
      const ignored = await request(`${app.url}/health/active`, { agent });
      agent.destroy();
      assert.equal(ignored.headers['x-amzn-trace-id'], undefined);
      assert.deepEqual(ignored.json(), { traceId: null, spanId: null });
    });

    test('continues the caller trace from X-Amzn-Trace-Id', async () => {
      const traceId = '5759e988bd862e3fe1be46a994272793';
      const res = await request(`${app.url}/users/2`, {
        headers: { 'x-amzn-trace-id': `Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1` },
      });
      assert.equal(res.json().traceId, traceId);
      const spans = await receiver.waitFor((all) => all.some((span) => span.traceId === traceId), 'the continued trace');
      assert.equal(spans.find((span) => span.traceId === traceId).parentSpanId, '53995c3f42cd8ad8');
    });
  });

  test('with the express middleware added as well, the middleware reuses the zero-code span (ESM hook, CJS middleware)', async (t) => {
    const receiver = await freshReceiver(t);
    // --import loads the ESM build for the hook while the app requires the CJS build of the middleware.
    const app = await startApp(['--import', 'otel-xray/register', EXPRESS_CJS], exportTo(receiver, { WITH_MIDDLEWARE: '1' }));
    try {
      const body = (await request(`${app.url}/users/3`)).json();
      const spans = await receiver.waitFor((all) => serverSpans(all).length >= 1, 'a server span');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.equal(serverSpans(receiver.spans).length, 1, `server spans: ${serverSpans(receiver.spans).map((s) => s.name)}`);
      assert.equal(spans[0].name, 'GET /users/:id');
      assert.equal(body.spanId, spans[0].spanId);
    } finally {
      await app.stop();
    }
  });

  test('an app bundled by esbuild is traced the same', async (t) => {
    const receiver = await freshReceiver(t);
    const dir = mkdtempSync(join(tmpdir(), 'otel-xray-bundle-'));
    try {
      const outfile = join(dir, 'app.cjs');
      await build({ entryPoints: [join(REPO_ROOT, EXPRESS_CJS)], bundle: true, platform: 'node', format: 'cjs', outfile, logLevel: 'silent' });
      const app = await startApp(['--require', 'otel-xray/register', outfile], exportTo(receiver));
      try {
        const body = (await request(`${app.url}/users/4`)).json();
        const spans = await receiver.waitFor((all) => serverSpans(all).length >= 1, 'a server span');
        assert.equal(spans[0].name, 'GET /users/:id');
        assert.equal(body.spanId, spans[0].spanId);
      } finally {
        await app.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('fastify: route templates come from its handler channel, and the span is active in the handler', async (t) => {
    const receiver = await freshReceiver(t);
    const app = await startApp(['--import', 'otel-xray/register', FASTIFY], exportTo(receiver));
    try {
      const get = (await request(`${app.url}/users/5`)).json();
      const post = (await request(`${app.url}/users/6`, { method: 'POST', body: { a: 1 } })).json();
      const spans = await receiver.waitFor((all) => serverSpans(all).length >= 2, 'two server spans');
      const byPath = (path) => spans.find((span) => span.attributes['url.path'] === path);
      assert.equal(byPath('/users/5').name, 'GET /users/:id');
      assert.equal(byPath('/users/5').attributes['http.route'], '/users/:id');
      assert.equal(byPath('/users/6').name, 'POST /users/:id');
      assert.equal(get.spanId, byPath('/users/5').spanId);
      assert.equal(post.spanId, byPath('/users/6').spanId);
    } finally {
      await app.stop();
    }
  });

  test('koa: without the middleware the span keeps the METHOD name; with it the route fills in, still one span', async (t) => {
    const receiver = await freshReceiver(t);
    const plain = await startApp(['--import', 'otel-xray/register', KOA], exportTo(receiver));
    try {
      const body = (await request(`${plain.url}/users/1`)).json();
      const [span] = await receiver.waitFor((all) => serverSpans(all).length >= 1, 'a server span');
      assert.equal(span.name, 'GET');
      assert.equal(span.attributes['http.route'], undefined);
      assert.equal(body.spanId, span.spanId);
    } finally {
      await plain.stop();
    }
    receiver.spans.length = 0;
    const withMiddleware = await startApp(['--import', 'otel-xray/register', KOA], exportTo(receiver, { WITH_MIDDLEWARE: '1' }));
    try {
      const body = (await request(`${withMiddleware.url}/users/2`)).json();
      await receiver.waitFor((all) => serverSpans(all).length >= 1, 'a server span');
      await new Promise((resolve) => setTimeout(resolve, 200));
      const spans = serverSpans(receiver.spans);
      assert.equal(spans.length, 1);
      assert.equal(spans[0].name, 'GET /users/:id');
      assert.equal(body.spanId, spans[0].spanId);
    } finally {
      await withMiddleware.stop();
    }
  });

  test('OTEL_TRACES_SAMPLER=xray with the sampling proxy down: requests are served, the default rule samples, one warning', async (t) => {
    const receiver = await freshReceiver(t);
    // A port nobody listens on: take a free one and close it.
    const closed = http.createServer();
    await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address();
    await new Promise((resolve) => closed.close(resolve));
    const env = { OTEL_TRACES_SAMPLER: 'xray', OTEL_TRACES_SAMPLER_ARG: `endpoint=http://127.0.0.1:${port}` };
    const app = await startApp(['--import', 'otel-xray/register', EXPRESS_ESM], exportTo(receiver, env));
    try {
      const res = await request(`${app.url}/health`);
      assert.equal(res.text, 'ok');
      // The first request of a second is taken by the default rule's reservoir.
      assert.match(res.headers['x-amzn-trace-id'], /;Sampled=1$/);
      const deadline = Date.now() + 5000;
      while (!app.stderr.includes('did not answer') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const lines = app.stderr.trim().split('\n');
      assert.equal(lines.length, 1, app.stderr);
      assert.match(lines[0], new RegExp(`X-Ray sampling proxy http://127\\.0\\.0\\.1:${port} did not answer .*sampling 1 request per second and 5% of the rest`));
    } finally {
      await app.stop();
    }
  });

  describe('a configuration error under register prints one line and the app runs untraced', () => {
    const cases = [
      ['an unknown sampler', { OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER must be one of/],
      ['a missing rules file', { OTEL_TRACES_SAMPLER: 'xray', OTEL_TRACES_SAMPLER_ARG: 'rules=/nonexistent/rules.json' }, /sampling rules file \/nonexistent\/rules\.json: cannot be read/],
      ['a bad ignore list', { OTEL_XRAY_IGNORE_PATHS: 'health' }, /OTEL_XRAY_IGNORE_PATHS must be paths starting with "\/"/],
    ];
    for (const [what, env, message] of cases) {
      test(what, async (t) => {
        const receiver = await freshReceiver(t);
        const app = await startApp(['--import', 'otel-xray/register', EXPRESS_ESM], exportTo(receiver, env));
        try {
          const res = await request(`${app.url}/health`);
          assert.equal(res.status, 200);
          assert.equal(res.text, 'ok');
          assert.equal(res.headers['x-amzn-trace-id'], undefined);
          const lines = app.stderr.trim().split('\n');
          assert.equal(lines.length, 1, app.stderr);
          assert.match(lines[0], /^otel-xray: tracing is off: /);
          assert.match(lines[0], message);
        } finally {
          await app.stop();
        }
        assert.equal(receiver.spans.length, 0);
      });
    }
  });
});
