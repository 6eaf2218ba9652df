// express and koa through serverless-http, fastify through @fastify/aws-lambda, wrapped with
// xrayLambda and invoked in-process with the events API Gateway (v1, v2) and ALB send.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SpanKind, trace } from '@opentelemetry/api';
import awsLambdaFastify from '@fastify/aws-lambda';
import serverless from 'serverless-http';
import { xrayLambda } from 'otel-xray/lambda';
import { expressApp, fastifyApp, koaApp } from './support/front-end-apps.mjs';
import { LAMBDA_ENV, albEvent, apiGatewayV1Event, apiGatewayV2Event, lambdaContext } from './support/lambda-events.mjs';
import { startMemoryTracing, xrayTraceId } from './support/tracing.mjs';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const API_GATEWAY_SEGMENT = '53995c3f42cd8ad8';
const FUNCTION_SEGMENT = '8a3c60f7d188f8fa';
const LINEAGE = '1:d2b0e4b0:0';
/** What Lambda puts in _X_AMZN_TRACE_ID for an invocation: Parent is the function's segment. */
const INVOCATION_HEADER = `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=1;Lineage=${LINEAGE}`;

Object.assign(process.env, LAMBDA_ENV);
let memory;
const handlers = {};
before(async () => {
  // Batched export, as in production: only xrayLambda's flush gets spans out before it returns.
  memory = startMemoryTracing();
  handlers.express = xrayLambda(serverless(expressApp()));
  handlers.koa = xrayLambda(serverless(koaApp()));
  handlers.fastify = xrayLambda(awsLambdaFastify(await fastifyApp()));
});
after(() => memory.tracing.shutdown());

const events = {
  'API Gateway v1': (path) => apiGatewayV1Event(path, `Root=${ROOT};Parent=${API_GATEWAY_SEGMENT};Sampled=1`),
  'API Gateway v2': (path) => apiGatewayV2Event(path, `Root=${ROOT}`),
  ALB: (path) => albEvent(path, `Root=${ROOT}`),
};

let invocation = 0;
/** Invokes a handler the way Lambda does: _X_AMZN_TRACE_ID set for this invocation. */
async function invoke(handler, makeEvent, invocationHeader) {
  const path = `/orders/${++invocation}`;
  if (invocationHeader === undefined) delete process.env._X_AMZN_TRACE_ID;
  else process.env._X_AMZN_TRACE_ID = invocationHeader;
  try {
    const result = await handler(makeEvent(path), lambdaContext());
    // Read at once, no waiting: what has not been exported by now is lost when Lambda freezes.
    const exported = memory.exporter.getFinishedSpans().filter((s) => s.attributes['url.path'] === path);
    return { path, result, exported, body: JSON.parse(result.body), header: responseHeader(result) };
  } finally {
    delete process.env._X_AMZN_TRACE_ID;
  }
}

function responseHeader(result) {
  const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const multi = Object.fromEntries(Object.entries(result.multiValueHeaders ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  return headers['x-amzn-trace-id'] ?? multi['x-amzn-trace-id']?.[0];
}

for (const framework of ['express', 'koa', 'fastify']) {
  describe(`${framework} on Lambda`, () => {
    for (const [eventName, makeEvent] of Object.entries(events)) {
      it(`${eventName}: the server span is a child of the function's segment, exported before the handler returns`, async () => {
        const { result, exported, body, header } = await invoke(handlers[framework], makeEvent, INVOCATION_HEADER);
        assert.equal(result.statusCode, 200);
        assert.equal(exported.length, 1, 'the server span was exported before the handler returned');
        const [span] = exported;
        assert.equal(span.kind, SpanKind.SERVER);
        assert.equal(span.name, 'GET /orders/:id');
        assert.equal(span.spanContext().traceId, TRACE_ID);
        assert.equal(span.parentSpanContext?.spanId, FUNCTION_SEGMENT);
        assert.equal(span.attributes['http.response.status_code'], 200);
        assert.equal(span.resource.attributes['faas.name'], 'orders-api');
        assert.equal(span.resource.attributes['cloud.platform'], 'aws_lambda');
        assert.equal(header, `Root=${ROOT};Sampled=1`);
        assert.equal(body.spanId, span.spanContext().spanId, 'the handler runs in the server span');
        assert.equal(body.downstream, `Root=${ROOT};Parent=${span.spanContext().spanId};Sampled=1;Lineage=${LINEAGE}`);
      });
    }

    it("honours the invocation's Sampled=0: reported back, nothing exported", async () => {
      const { exported, header, body } = await invoke(handlers[framework], events.ALB, `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=0`);
      assert.equal(header, `Root=${ROOT};Sampled=0`);
      assert.equal(body.downstream, `Root=${ROOT};Parent=${body.spanId};Sampled=0`);
      await memory.tracing.forceFlush();
      assert.equal(exported.length, 0);
    });

    it('without _X_AMZN_TRACE_ID, falls back to the request headers (ALB Root only)', async () => {
      const { exported, header } = await invoke(handlers[framework], events.ALB, undefined);
      assert.equal(exported.length, 1);
      assert.equal(exported[0].spanContext().traceId, TRACE_ID);
      assert.equal(exported[0].parentSpanContext, undefined);
      assert.equal(header, `Root=${ROOT};Sampled=1`);
    });

    it('an unusable _X_AMZN_TRACE_ID falls back to the request headers too', async () => {
      const { exported } = await invoke(handlers[framework], events['API Gateway v1'], 'Root=garbage');
      assert.equal(exported.length, 1);
      assert.equal(exported[0].parentSpanContext?.spanId, API_GATEWAY_SEGMENT);
    });
  });
}

describe('xrayLambda around any handler', () => {
  it('makes the invocation context active in the handler and flushes spans it ends', async () => {
    process.env._X_AMZN_TRACE_ID = INVOCATION_HEADER;
    const handler = xrayLambda(async (event) => {
      const span = trace.getTracer('lambda-test').startSpan(`work ${event.n}`);
      span.end();
      return { parent: trace.getActiveSpan()?.spanContext().spanId };
    });
    try {
      const result = await handler({ n: 1 }, lambdaContext());
      assert.equal(result.parent, FUNCTION_SEGMENT);
      const work = memory.exporter.getFinishedSpans().find((s) => s.name === 'work 1');
      assert.ok(work, 'exported before the handler returned');
      assert.equal(work.parentSpanContext?.spanId, FUNCTION_SEGMENT);
      assert.equal(work.spanContext().traceId, TRACE_ID);
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });

  it('rethrows the handler error unchanged, after the flush', async () => {
    const failure = new Error('order store unavailable');
    const handler = xrayLambda(async () => {
      trace.getTracer('lambda-test').startSpan('before failure').end();
      throw failure;
    });
    await assert.rejects(handler({}, lambdaContext()), (error) => error === failure);
    assert.ok(memory.exporter.getFinishedSpans().some((s) => s.name === 'before failure'));
  });

  it('takes callback-style handlers', async () => {
    const ok = xrayLambda((event, _context, callback) => setImmediate(() => callback(null, { doubled: event.n * 2 })));
    assert.deepEqual(await ok({ n: 21 }, lambdaContext()), { doubled: 42 });
    const failing = xrayLambda((_event, _context, callback) => callback(new Error('callback failure')));
    await assert.rejects(failing({}, lambdaContext()), /callback failure/);
  });

  it('passes a callback to every handler, whatever its declared parameters say', async () => {
    const withDefault = xrayLambda((event, _context, callback = () => {}) => void setImmediate(() => callback(null, { got: event.n })));
    assert.deepEqual(await withDefault({ n: 1 }, lambdaContext()), { got: 1 });
    const inner = (event, _context, callback) => void setImmediate(() => (event.fail ? callback(new Error('inner failure')) : callback(null, 'inner result')));
    // A decorator around a callback handler: its length is 0.
    const decorated = (...args) => inner(...args);
    assert.equal(await xrayLambda(decorated)({}, lambdaContext()), 'inner result');
    await assert.rejects(xrayLambda(decorated)({ fail: true }, lambdaContext()), /inner failure/);
  });

  it('settles on whichever comes first, the callback or the returned promise', async () => {
    const callbackFirst = xrayLambda(async (_event, _context, callback) => {
      callback(null, 'from the callback');
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 'from the promise';
    });
    assert.equal(await callbackFirst({}, lambdaContext()), 'from the callback');
    const promiseFirst = xrayLambda(async (_event, _context, callback) => {
      setTimeout(() => callback(new Error('too late')), 5);
      return 'from the promise';
    });
    assert.equal(await promiseFirst({}, lambdaContext()), 'from the promise');
  });

  it('ends a handler that never calls back once nothing is left to do, as the Lambda runtime does', async () => {
    const script = `
      import { xrayLambda } from 'otel-xray/lambda';
      const context = { getRemainingTimeInMillis: () => 60000 };
      const silent = xrayLambda((event, context, callback) => { setTimeout(() => {}, 20); });
      console.log('settled with ' + String(await silent({}, context)));
      const synchronous = xrayLambda(() => 'returned');
      // The next invocation arrives later, as the runtime's next request does.
      await new Promise((resolve) => setTimeout(resolve, 5));
      console.log('settled with ' + String(await synchronous({}, context)));
    `;
    const root = fileURLToPath(new URL('..', import.meta.url));
    const env = { PATH: process.env.PATH, OTEL_TRACES_EXPORTER: 'none' };
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: root, env, timeout: 30_000 });
    assert.deepEqual(stdout.trim().split('\n'), ['settled with undefined', 'settled with undefined']);
  });

  it("takes the callback's result, not a value returned synchronously (as the Lambda runtime does)", async () => {
    const handler = xrayLambda((_event, _context, callback) => {
      setImmediate(() => callback(null, 'from the callback'));
      return 'returned';
    });
    assert.equal(await handler({}, lambdaContext()), 'from the callback');
  });

  it('leaves the outer context as it was', async () => {
    process.env._X_AMZN_TRACE_ID = INVOCATION_HEADER;
    try {
      await xrayLambda(async () => 'done')({}, lambdaContext());
      assert.equal(trace.getActiveSpan(), undefined);
    } finally {
      delete process.env._X_AMZN_TRACE_ID;
    }
  });

  it('rejects bad arguments with a TypeError naming them', () => {
    assert.throws(() => xrayLambda('handler'), { name: 'TypeError', message: /^otel-xray: xrayLambda needs the handler function/ });
    assert.throws(() => xrayLambda(async () => {}, { flushTimeoutMs: -1 }), { name: 'TypeError', message: /^otel-xray: flushTimeoutMs must be/ });
    assert.throws(() => xrayLambda(async () => {}, { flushTimeoutMs: '2s' }), { name: 'TypeError', message: /^otel-xray: flushTimeoutMs/ });
    assert.throws(() => xrayLambda(async () => {}, null), { name: 'TypeError', message: /^otel-xray: xrayLambda options/ });
  });
});

describe('the response header in Lambda', () => {
  it('reports the Root of the invocation', async () => {
    const { header, exported } = await invoke(handlers.express, events['API Gateway v2'], INVOCATION_HEADER);
    assert.equal(header, `Root=${xrayTraceId(exported[0].spanContext().traceId)};Sampled=1`);
  });
});
