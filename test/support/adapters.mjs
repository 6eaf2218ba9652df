// One behaviour suite for every framework adapter. Each adapter test file builds the same small
// app in its framework (see ROUTES) and hands a factory to `describeAdapter`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { listen, startMemoryTracing, xrayTraceId } from './tracing.mjs';

/*
 * The routes each app defines:
 *   GET  /users/:id                 200 `user <id>`
 *   GET  /api/v1/items/:itemId      200, in a router nested two levels deep (prefixes /api and /v1)
 *   GET  /api/v1/fail/:id           throws an Error inside that nested router
 *   GET  /status/:code              answers with that status, body `status <code>`
 *   GET  /throw-sync                throws TypeError('sync failure')
 *   GET  /throw-async               rejects with RangeError('async failure') after a timer
 *   GET  /throw-client              throws an http-errors style error with status 404
 *   GET  /context?wait=ms           JSON { sync, afterAwait, afterTimeout, child } (active span ids), starts a child span
 *   GET  /stream                    3 chunks written from timers, each the active span id and '\n'
 *   POST /echo                      parses a JSON body, answers JSON { received, spanId }
 *   GET  /abort                     writes one chunk, then waits until the connection closes (at most 5 s)
 *   GET  /end-twice                 ends the response twice
 *   GET  /throw-after-send          sends `sent`, then throws
 *   GET  /health, /health/live, /metrics/cpu, /plain   200 `ok`
 */
const RESPONSE_HEADER = /^Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Sampled=([01])$/;

export const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The active span's id, or 'none'. */
export const activeSpanId = () => trace.getActiveSpan()?.spanContext().spanId ?? 'none';

/** What /context answers, computed the same way in every framework. */
export async function contextReport(wait) {
  const sync = activeSpanId();
  await delay(wait);
  const afterAwait = activeSpanId();
  const afterTimeout = await new Promise((resolve) => setTimeout(() => resolve(activeSpanId()), 1));
  const child = trace.getTracer('adapter-test').startSpan('child work');
  child.end();
  return { sync, afterAwait, afterTimeout, child: child.spanContext().spanId };
}

/** Writes the /stream chunks into `write`, one per timer, then calls `end`. */
export function streamChunks(write, end) {
  let left = 3;
  const tick = () => {
    write(`${activeSpanId()}\n`);
    if (--left > 0) setTimeout(tick, 2);
    else end();
  };
  setTimeout(tick, 2);
}

/** Waits until `emitter` emits 'close', at most 5 s. */
export function closed(emitter) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5000);
    emitter.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** An http-errors style client error. */
export function clientError() {
  return Object.assign(new Error('no such thing'), { status: 404, statusCode: 404, expose: true });
}

/** The server span of the trace a response's X-Amzn-Trace-Id names, once it has ended. */
export async function spanOfResponse(memory, response) {
  const match = RESPONSE_HEADER.exec(response.headers.get('x-amzn-trace-id') ?? '');
  assert.ok(match, 'the response names its trace');
  const traceId = match[1].slice(2).replace('-', '');
  for (let attempt = 0; attempt < 200; attempt++) {
    const span = (await memory.spans(0)).find((s) => s.spanContext().traceId === traceId && s.kind === SpanKind.SERVER);
    if (span !== undefined) return span;
    await delay(10);
  }
  assert.fail(`no server span for trace ${traceId}`);
}

const hex = (bytes) => randomBytes(bytes).toString('hex');
/** A fresh X-Ray style trace id (epoch seconds first). */
export const newTraceId = () => Math.floor(Date.now() / 1000).toString(16).padStart(8, '0') + hex(12);
export const newSpanId = () => hex(8);

/** GET with headers that may repeat (arrays become several header lines), through node:http. */
function rawGet(url, headers) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, header: res.headers['x-amzn-trace-id'], body }));
    });
    req.on('error', reject);
  });
}

/**
 * Defines the adapter suite.
 * @param {string} name - e.g. 'express 5'
 * @param {(middlewareOptions: object | null) => import('node:http').Server} createServer - null: the same app without tracing
 */
export function describeAdapter(name, createServer) {
  describe(name, () => {
    let memory;
    let app;
    let plain;
    let noHeader;
    let ignoring;
    let predicate;
    const servers = [];

    async function start(options) {
      const server = await listen(await createServer(options));
      servers.push(server);
      return server;
    }

    before(async () => {
      memory = startMemoryTracing();
      app = await start({});
      plain = await start(null);
      noHeader = await start({ responseHeader: false });
      ignoring = await start({ ignore: ['/health', /^\/metrics\//] });
      predicate = await start({ ignore: (req) => req.headers['x-skip'] === 'yes' });
    });

    after(async () => {
      for (const server of servers) await server.close();
      await memory.tracing.shutdown();
    });

    /** Fetches from the traced app; returns the response, its body and the trace id its header names. */
    async function get(path, init = {}, server = app) {
      const response = await fetch(server.url + path, init);
      const body = await response.text();
      const header = response.headers.get('x-amzn-trace-id');
      const match = header === null ? null : RESPONSE_HEADER.exec(header);
      const traceId = match === null ? undefined : match[1].slice(2).replace('-', '');
      return { response, status: response.status, body, header, traceId, sampled: match?.[2] };
    }

    /** The spans of one trace, once its SERVER span has ended. */
    async function traceSpans(traceId) {
      assert.ok(traceId, 'the response names a trace');
      for (let attempt = 0; attempt < 200; attempt++) {
        const spans = (await memory.spans(0)).filter((span) => span.spanContext().traceId === traceId);
        if (spans.some((span) => span.kind === SpanKind.SERVER)) return spans;
        await delay(10);
      }
      assert.fail(`no server span for trace ${traceId}`);
    }

    async function serverSpan(traceId) {
      const servers = (await traceSpans(traceId)).filter((span) => span.kind === SpanKind.SERVER);
      assert.equal(servers.length, 1, 'one server span per request');
      return servers[0];
    }

    /** Makes sure every span of earlier requests has ended: a later request's span has. */
    async function settle() {
      const { traceId } = await get('/plain');
      await traceSpans(traceId);
      await delay(20);
      await memory.tracing.forceFlush();
    }

    const spansOfTrace = (traceId) => memory.exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);

    it('names the span METHOD /route/template and records the HTTP attributes', async () => {
      const { status, body, traceId } = await get('/users/42?tab=orders', { headers: { 'user-agent': 'adapter-test/1.0' } });
      assert.equal(status, 200);
      assert.equal(body, 'user 42');
      const span = await serverSpan(traceId);
      assert.equal(span.name, 'GET /users/:id');
      assert.equal(span.kind, SpanKind.SERVER);
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      assert.ok(span.ended);
      const port = Number(new URL(app.url).port);
      assert.deepEqual(
        {
          method: span.attributes['http.request.method'],
          path: span.attributes['url.path'],
          scheme: span.attributes['url.scheme'],
          route: span.attributes['http.route'],
          status: span.attributes['http.response.status_code'],
          address: span.attributes['server.address'],
          port: span.attributes['server.port'],
          client: span.attributes['client.address'],
          userAgent: span.attributes['user_agent.original'],
          protocol: span.attributes['network.protocol.version'],
          errorType: span.attributes['error.type'],
        },
        {
          method: 'GET',
          path: '/users/42',
          scheme: 'http',
          route: '/users/:id',
          status: 200,
          address: '127.0.0.1',
          port,
          client: '127.0.0.1',
          userAgent: 'adapter-test/1.0',
          protocol: '1.1',
          errorType: undefined,
        },
      );
      assert.equal(span.parentSpanContext, undefined, 'a request without trace headers starts a trace');
    });

    it('names a route of a nested router with its full prefix', async () => {
      const { status, body, traceId } = await get('/api/v1/items/7');
      assert.equal(status, 200);
      assert.equal(body, 'item 7');
      const span = await serverSpan(traceId);
      assert.equal(span.name, 'GET /api/v1/items/:itemId');
      assert.equal(span.attributes['http.route'], '/api/v1/items/:itemId');
    });

    it('leaves 2xx and 4xx unset and marks 5xx as an error', async () => {
      const ok = await get('/status/201');
      const notFound = await get('/status/404');
      const badRequest = await get('/status/400');
      const unavailable = await get('/status/503');
      assert.deepEqual([ok.status, notFound.status, badRequest.status, unavailable.status], [201, 404, 400, 503]);
      assert.equal(unavailable.body, 'status 503');
      for (const [result, code] of [[ok, 201], [notFound, 404], [badRequest, 400]]) {
        const span = await serverSpan(result.traceId);
        assert.equal(span.status.code, SpanStatusCode.UNSET, `status ${code}`);
        assert.equal(span.attributes['http.response.status_code'], code);
        assert.equal(span.attributes['error.type'], undefined);
        assert.equal(span.name, 'GET /status/:code');
      }
      const span = await serverSpan(unavailable.traceId);
      assert.equal(span.status.code, SpanStatusCode.ERROR);
      assert.equal(span.attributes['http.response.status_code'], 503);
      assert.equal(span.attributes['error.type'], '503');
    });

    it('keeps the exception event of a thrown 4xx error (http-errors style), without ERROR', async () => {
      const traced = await get('/throw-client');
      const untraced = await get('/throw-client', {}, plain);
      assert.equal(traced.status, 404);
      assert.equal(traced.status, untraced.status);
      assert.equal(traced.body, untraced.body);
      const span = await serverSpan(traced.traceId);
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      assert.equal(span.attributes['error.type'], undefined);
      assert.equal(span.events.filter((event) => event.name === 'exception').length, 1);
    });

    for (const [path, type, message] of [
      ['/throw-sync', 'TypeError', 'sync failure'],
      ['/throw-async', 'RangeError', 'async failure'],
    ]) {
      it(`records a ${type} thrown by a handler (${path}) and keeps the framework's error response`, async () => {
        const traced = await get(path);
        const untraced = await get(path, {}, plain);
        assert.equal(traced.status, 500);
        assert.deepEqual(
          [traced.status, traced.body, traced.response.headers.get('content-type')],
          [untraced.status, untraced.body, untraced.response.headers.get('content-type')],
        );
        assert.ok(!traced.body.includes(message) || untraced.body.includes(message));
        const span = await serverSpan(traced.traceId);
        assert.equal(span.status.code, SpanStatusCode.ERROR);
        assert.equal(span.status.message, message);
        assert.equal(span.attributes['error.type'], type);
        assert.equal(span.attributes['http.response.status_code'], 500);
        assert.equal(span.name, `GET ${path}`);
        const exception = span.events.find((event) => event.name === 'exception');
        assert.ok(exception, 'exception event recorded');
        assert.equal(exception.attributes['exception.type'], type);
        assert.equal(exception.attributes['exception.message'], message);
        assert.match(String(exception.attributes['exception.stacktrace']), new RegExp(type));
      });
    }

    it('keeps the full route template when an error leaves a nested router', async () => {
      const traced = await get('/api/v1/fail/3');
      const untraced = await get('/api/v1/fail/3', {}, plain);
      assert.equal(traced.status, 500);
      assert.equal(traced.body, untraced.body);
      const span = await serverSpan(traced.traceId);
      assert.equal(span.name, 'GET /api/v1/fail/:id');
      assert.equal(span.attributes['http.route'], '/api/v1/fail/:id');
      assert.equal(span.status.code, SpanStatusCode.ERROR);
      assert.equal(span.events.filter((event) => event.name === 'exception').length, 1);
    });

    it('names a request that matched no route by its method only', async () => {
      const { status, traceId } = await get('/no/such/route');
      assert.equal(status, 404);
      const span = await serverSpan(traceId);
      assert.equal(span.name, 'GET');
      assert.equal(span.attributes['http.route'], undefined);
      assert.equal(span.attributes['http.response.status_code'], 404);
      assert.equal(span.status.code, SpanStatusCode.UNSET);
    });

    it('continues an incoming X-Amzn-Trace-Id', async () => {
      const traceId = newTraceId();
      const parent = newSpanId();
      const result = await get('/users/1', { headers: { 'X-Amzn-Trace-Id': `Root=${xrayTraceId(traceId)};Parent=${parent};Sampled=1` } });
      assert.equal(result.status, 200);
      assert.equal(result.header, `Root=${xrayTraceId(traceId)};Sampled=1`);
      const span = await serverSpan(traceId);
      assert.equal(span.spanContext().traceId, traceId);
      assert.equal(span.parentSpanContext?.spanId, parent);
      assert.equal(span.parentSpanContext?.isRemote, true);
    });

    it('continues an incoming traceparent', async () => {
      const traceId = newTraceId();
      const parent = newSpanId();
      const result = await get('/users/2', { headers: { traceparent: `00-${traceId}-${parent}-01` } });
      assert.equal(result.header, `Root=${xrayTraceId(traceId)};Sampled=1`);
      const span = await serverSpan(traceId);
      assert.equal(span.parentSpanContext?.spanId, parent);
    });

    it('sets X-Amzn-Trace-Id on the response, and not with responseHeader: false', async () => {
      const withHeader = await get('/users/3');
      assert.match(withHeader.header, RESPONSE_HEADER);
      assert.equal(withHeader.sampled, '1');
      const span = await serverSpan(withHeader.traceId);
      assert.equal(span.spanContext().traceId, withHeader.traceId);

      const traceId = newTraceId();
      const without = await get('/users/3', { headers: { traceparent: `00-${traceId}-${newSpanId()}-01` } }, noHeader);
      assert.equal(without.status, 200);
      assert.equal(without.header, null);
      assert.equal((await serverSpan(traceId)).name, 'GET /users/:id', 'still traced');
    });

    it('starts a new trace for garbage, truncated, oversized and repeated trace headers', async () => {
      const root = () => xrayTraceId(newTraceId());
      const cases = [
        ['x-amzn-trace-id', 'garbage'],
        ['x-amzn-trace-id', 'Root=1-abc'],
        ['x-amzn-trace-id', `Root=${root().slice(0, 30)};Parent=${newSpanId()};Sampled=1`],
        ['x-amzn-trace-id', `Root=${root()};Parent=${newSpanId().slice(0, 9)};Sampled=1`],
        ['x-amzn-trace-id', `Root=${root()};Parent=zzzzzzzzzzzzzzzz;Sampled=1`],
        ['x-amzn-trace-id', `Root=1-00000000-000000000000000000000000;Parent=${newSpanId()};Sampled=1`],
        ['x-amzn-trace-id', `Root=${root()};Parent=${newSpanId()};Sampled=1;Pad=${'a'.repeat(9000)}`],
        ['x-amzn-trace-id', `Root=<script>alert(1)</script>;Sampled=1`],
        ['x-amzn-trace-id', [`Root=${root()};Parent=${newSpanId()};Sampled=1`, `Root=${root()};Parent=${newSpanId()};Sampled=1`]],
        ['traceparent', 'zz-not-a-trace-parent'],
        ['traceparent', `00-${newTraceId()}-${newSpanId().slice(0, 8)}-01`],
        ['traceparent', `00-${newTraceId()}-${newSpanId()}-01-${'x'.repeat(9000)}`],
        ['traceparent', [`00-${newTraceId()}-${newSpanId()}-01`, `00-${newTraceId()}-${newSpanId()}-01`]],
      ];
      for (const [name, value] of cases) {
        const label = `${name}: ${String(value).slice(0, 60)}`;
        const result = await rawGet(`${app.url}/users/9`, { [name]: value });
        assert.equal(result.status, 200, label);
        assert.equal(result.body, 'user 9', label);
        const match = RESPONSE_HEADER.exec(result.header ?? '');
        assert.ok(match, `${label}: well-formed response header ${result.header}`);
        assert.equal(match[2], '1', label);
        const traceId = match[1].slice(2).replace('-', '');
        const incoming = [value].flat().join(' ');
        assert.ok(!incoming.includes(match[1]) && !incoming.includes(traceId), `${label}: a new trace id`);
        const span = await serverSpan(traceId);
        assert.equal(span.parentSpanContext, undefined, label);
      }
    });

    it('honours Sampled=0: no span, the request works, the response says Sampled=0', async () => {
      const traceId = newTraceId();
      const result = await get('/users/5', { headers: { 'X-Amzn-Trace-Id': `Root=${xrayTraceId(traceId)};Parent=${newSpanId()};Sampled=0` } });
      assert.equal(result.status, 200);
      assert.equal(result.body, 'user 5');
      assert.equal(result.header, `Root=${xrayTraceId(traceId)};Sampled=0`);
      const contextResult = await get('/context?wait=1', { headers: { traceparent: `00-${traceId}-${newSpanId()}-00` } });
      assert.equal(contextResult.status, 200);
      await settle();
      assert.deepEqual(spansOfTrace(traceId), []);
    });

    it('keeps the server span active after await, in a timer, and as parent of a child span', async () => {
      const { status, body, traceId } = await get('/context?wait=5');
      assert.equal(status, 200);
      const report = JSON.parse(body);
      const spans = await traceSpans(traceId);
      const server = spans.find((span) => span.kind === SpanKind.SERVER);
      const serverId = server.spanContext().spanId;
      assert.deepEqual([report.sync, report.afterAwait, report.afterTimeout], [serverId, serverId, serverId]);
      const child = spans.find((span) => span.name === 'child work');
      assert.ok(child, 'the child span was exported');
      assert.equal(child.spanContext().spanId, report.child);
      assert.equal(child.parentSpanContext?.spanId, serverId);
      assert.equal(server.name, 'GET /context');
    });

    it('keeps the server span active while streaming a response', async () => {
      const { status, body, traceId } = await get('/stream');
      assert.equal(status, 200);
      const serverId = (await serverSpan(traceId)).spanContext().spanId;
      assert.deepEqual(body.trim().split('\n'), [serverId, serverId, serverId]);
    });

    it('keeps the server span active in a handler of a POST with a JSON body', async () => {
      const payload = { order: 42, items: ['a', 'b'] };
      const { status, body, traceId } = await get('/echo', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      });
      assert.equal(status, 200);
      const report = JSON.parse(body);
      assert.deepEqual(report.received, payload);
      const span = await serverSpan(traceId);
      assert.equal(report.spanId, span.spanContext().spanId);
      assert.equal(span.name, 'POST /echo');
      assert.equal(span.attributes['http.request.method'], 'POST');
    });

    it('keeps the server span active when the JSON body arrives in pieces after the headers', async () => {
      const payload = JSON.stringify({ slow: true, padding: 'p'.repeat(2000) });
      const result = await new Promise((resolve, reject) => {
        const req = http.request(`${app.url}/echo`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        });
        req.on('response', (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (body += chunk));
          res.on('end', () => resolve({ status: res.statusCode, header: res.headers['x-amzn-trace-id'], body }));
        });
        req.on('error', reject);
        req.flushHeaders();
        // The server has seen the headers (and started the span) long before the body is complete.
        setTimeout(() => req.write(payload.slice(0, 1000)), 20);
        setTimeout(() => req.end(payload.slice(1000)), 40);
      });
      assert.equal(result.status, 200);
      const report = JSON.parse(result.body);
      assert.deepEqual(report.received, JSON.parse(payload));
      const traceId = RESPONSE_HEADER.exec(result.header)[1].slice(2).replace('-', '');
      assert.equal(report.spanId, (await serverSpan(traceId)).spanContext().spanId);
    });

    it('ignores requests by path prefix, RegExp and predicate', async () => {
      const marker = newTraceId();
      const headers = { traceparent: `00-${marker}-${newSpanId()}-01` };
      for (const [path, server, extra] of [
        ['/health', ignoring, {}],
        ['/health/live', ignoring, {}],
        ['/metrics/cpu', ignoring, {}],
        ['/users/1', predicate, { 'x-skip': 'yes' }],
      ]) {
        const result = await get(path, { headers: { ...headers, ...extra } }, server);
        assert.equal(result.status, 200, path);
        assert.equal(result.header, null, `${path}: no response header`);
      }
      // Not ignored: a path that only shares the prefix's letters, and the predicate saying no.
      const near = await get('/healthy', {}, ignoring);
      assert.equal(near.status, 404);
      assert.ok(near.traceId, '/healthy is traced');
      const notSkipped = await get('/users/1', { headers: { 'x-skip': 'no' } }, predicate);
      assert.equal((await serverSpan(notSkipped.traceId)).name, 'GET /users/:id');
      await settle();
      assert.deepEqual(spansOfTrace(marker), []);
    });

    it('keeps concurrent requests in separate traces', async () => {
      const incoming = Array.from({ length: 8 }, () => newTraceId());
      const results = await Promise.all(
        incoming.map((traceId, i) => get(`/context?wait=${(i * 7) % 20}`, { headers: { traceparent: `00-${traceId}-${newSpanId()}-01` } })),
      );
      for (const [i, result] of results.entries()) {
        assert.equal(result.traceId, incoming[i]);
        const spans = await traceSpans(incoming[i]);
        const server = spans.filter((span) => span.kind === SpanKind.SERVER);
        assert.equal(server.length, 1);
        const serverId = server[0].spanContext().spanId;
        const report = JSON.parse(result.body);
        assert.deepEqual([report.sync, report.afterAwait, report.afterTimeout], [serverId, serverId, serverId]);
        assert.equal(spans.find((span) => span.name === 'child work').parentSpanContext?.spanId, serverId);
      }
    });

    it('ends exactly one span, as an error, when the client aborts mid-response', async () => {
      const controller = new AbortController();
      const response = await fetch(`${app.url}/abort`, { signal: controller.signal });
      const [, traceId] = RESPONSE_HEADER.exec(response.headers.get('x-amzn-trace-id')) ?? [];
      const reader = response.body.getReader();
      const first = await reader.read();
      assert.equal(new TextDecoder().decode(first.value), 'first chunk\n');
      controller.abort();
      await reader.read().catch(() => undefined);
      const id = traceId.slice(2).replace('-', '');
      const span = await serverSpan(id);
      assert.equal(span.status.code, SpanStatusCode.ERROR);
      assert.equal(span.attributes['error.type'], 'aborted');
      assert.equal(span.name, 'GET /abort');
      await settle();
      assert.equal(spansOfTrace(id).length, 1);
    });

    it('uses X-Ray trace ids: the first 8 hex digits are the epoch seconds', async () => {
      const { traceId } = await get('/users/8');
      const span = await serverSpan(traceId);
      const seconds = Number.parseInt(span.spanContext().traceId.slice(0, 8), 16);
      assert.ok(Math.abs(seconds - Date.now() / 1000) <= 5, `${seconds} is now`);
    });

    it('ends exactly one span when a handler ends the response twice or throws after sending', async () => {
      const twice = await get('/end-twice');
      assert.equal(twice.status, 200);
      assert.equal(twice.body, 'one');
      const late = await fetch(`${app.url}/throw-after-send`).then(
        async (response) => ({ status: response.status, header: response.headers.get('x-amzn-trace-id'), body: await response.text().catch(() => '') }),
        () => undefined,
      );
      await settle();
      assert.equal(spansOfTrace(twice.traceId).length, 1);
      const lateSpans = memory.exporter.getFinishedSpans().filter((span) => span.name === 'GET /throw-after-send');
      assert.equal(lateSpans.length, 1);
      if (late !== undefined) {
        assert.equal(late.status, 200);
        assert.equal(late.header, `Root=${xrayTraceId(lateSpans[0].spanContext().traceId)};Sampled=1`);
      }
    });
  });
}
