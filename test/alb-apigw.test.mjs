// The trace headers AWS front ends really send (ALB, API Gateway), through express, fastify and
// koa on real servers: the trace is continued, never restarted, and the decision reported back.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind } from '@opentelemetry/api';
import { listenAll } from './support/front-end-apps.mjs';
import { listen, startMemoryTracing, xrayTraceId } from './support/tracing.mjs';

const ALB_ROOT = '1-67891233-abcdef012345678912345678';
const ALB_TRACE_ID = '67891233abcdef012345678912345678';
const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';
const W3C_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const W3C_PARENT = 'b7ad6b7169203331';

let memory;
let servers = [];
let requestNumber = 0;

async function start(options) {
  memory = startMemoryTracing(options);
  servers = await listenAll(listen);
}

async function stop() {
  await Promise.all(servers.map((server) => server.close()));
  await memory.tracing.shutdown();
}

/** GET /orders/<unique id> with the given headers: { path, status, header, body }. */
async function get(server, headers) {
  const path = `/orders/${++requestNumber}`;
  const response = await fetch(server.url + path, { headers });
  return { path, status: response.status, header: response.headers.get('x-amzn-trace-id'), body: await response.json() };
}

/** The exported server span of a request, waiting a bounded time for it. */
async function serverSpan(path) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const span = memory.exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && s.attributes['url.path'] === path);
    if (span !== undefined) return span;
    await memory.tracing.forceFlush();
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`no server span for ${path}`);
}

/** Whether an unsampled request left a span: asked after a later sampled request's span has arrived. */
async function exportedAfterwards(server, path) {
  const probe = await get(server, {});
  await serverSpan(probe.path);
  return memory.exporter.getFinishedSpans().some((s) => s.attributes['url.path'] === path);
}

const parentId = (span) => span.parentSpanContext?.spanId;

describe('behind ALB and API Gateway (default propagators: xray, tracecontext, baggage)', () => {
  before(() => start());
  after(stop);

  const rootOnly = [
    ['ALB: Root only', `Root=${ALB_ROOT}`],
    ['ALB: Self and Root', `Self=1-67891233-12456789abcdef012345678;Root=${ALB_ROOT}`],
    ['ALB: Self, Root and a custom field', `Self=1-67891233-12456789abcdef012345678;Root=${ALB_ROOT};CalledFrom=app`],
    ['ALB: lower-case keys and spaces', ` self = 1-67891233-12456789abcdef012345678 ; root = ${ALB_ROOT} `],
  ];

  for (const name of ['express', 'fastify', 'koa']) {
    const server = () => servers.find((s) => s.name === name);

    describe(name, () => {
      for (const [label, header] of rootOnly) {
        it(`${label}: continues the trace id with no parent and decides locally`, async () => {
          const { path, status, header: answer, body } = await get(server(), { 'x-amzn-trace-id': header });
          assert.equal(status, 200);
          assert.equal(answer, `Root=${ALB_ROOT};Sampled=1`);
          const span = await serverSpan(path);
          assert.equal(span.spanContext().traceId, ALB_TRACE_ID);
          assert.equal(parentId(span), undefined);
          assert.equal(body.traceId, ALB_TRACE_ID, 'the handler sees the same trace');
          assert.equal(body.downstream, `Root=${ALB_ROOT};Parent=${span.spanContext().spanId};Sampled=1`);
        });
      }

      it('API Gateway: Root, Parent and Sampled=1 make the server span a child', async () => {
        const { path, header } = await get(server(), { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1` });
        assert.equal(header, `Root=${ROOT};Sampled=1`);
        const span = await serverSpan(path);
        assert.equal(span.spanContext().traceId, TRACE_ID);
        assert.equal(parentId(span), PARENT);
      });

      for (const [label, header] of [
        ['Sampled=?', `Root=${ROOT};Parent=${PARENT};Sampled=?`],
        ['no Sampled', `Root=${ROOT};Parent=${PARENT}`],
        ['Sampled=? first, keys in lower case', `sampled=?;parent=${PARENT};root=${ROOT}`],
      ]) {
        it(`${label}: keeps Root and Parent, decides locally and reports the decision`, async () => {
          const { path, header: answer, body } = await get(server(), { 'x-amzn-trace-id': header });
          assert.equal(answer, `Root=${ROOT};Sampled=1`);
          const span = await serverSpan(path);
          assert.equal(span.spanContext().traceId, TRACE_ID);
          assert.equal(parentId(span), PARENT);
          assert.match(body.downstream, /;Sampled=1$/);
        });
      }

      it('Sampled=0 is honoured: reported back, nothing exported', async () => {
        const { path, header } = await get(server(), { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=0` });
        assert.equal(header, `Root=${ROOT};Sampled=0`);
        assert.equal(await exportedAfterwards(server(), path), false);
      });

      it('Root with Sampled=0 and no Parent: same trace, not sampled', async () => {
        const { path, header } = await get(server(), { 'x-amzn-trace-id': `Root=${ALB_ROOT};Sampled=0` });
        assert.equal(header, `Root=${ALB_ROOT};Sampled=0`);
        assert.equal(await exportedAfterwards(server(), path), false);
      });

      it('carries Lineage on to calls the handler makes, once, and drops Self', async () => {
        const { path, body } = await get(server(), {
          'x-amzn-trace-id': `Self=1-67891233-12456789abcdef012345678;Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=2:d2b0e4b0:1`,
        });
        const span = await serverSpan(path);
        assert.equal(body.downstream, `Root=${ROOT};Parent=${span.spanContext().spanId};Sampled=1;Lineage=2:d2b0e4b0:1`);
      });

      it('a garbage header starts a new trace', async () => {
        const { path, header } = await get(server(), { 'x-amzn-trace-id': 'Root=1-zzzz;Parent=nope;Sampled=1' });
        const span = await serverSpan(path);
        assert.notEqual(span.spanContext().traceId, TRACE_ID);
        assert.equal(parentId(span), undefined);
        assert.equal(header, `Root=${xrayTraceId(span.spanContext().traceId)};Sampled=1`);
      });

      it('X-Amzn-Trace-Id and traceparent disagreeing: X-Ray, listed first, wins', async () => {
        const { path } = await get(server(), {
          'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1`,
          traceparent: `00-${W3C_TRACE_ID}-${W3C_PARENT}-01`,
        });
        const span = await serverSpan(path);
        assert.equal(span.spanContext().traceId, TRACE_ID);
        assert.equal(parentId(span), PARENT);
      });

      // An ALB adds a Root-only header in front of a W3C caller: the caller's full parent keeps the trace in one piece.
      for (const [label, header] of [...rootOnly, ['ALB: Root only with Sampled=0', `Root=${ALB_ROOT};Sampled=0`]]) {
        it(`${label} next to a traceparent: the traceparent parent wins`, async () => {
          const { path, header: answer, body } = await get(server(), { 'x-amzn-trace-id': header, traceparent: `00-${W3C_TRACE_ID}-${W3C_PARENT}-01` });
          const span = await serverSpan(path);
          assert.equal(span.spanContext().traceId, W3C_TRACE_ID);
          assert.equal(parentId(span), W3C_PARENT);
          assert.equal(answer, `Root=${xrayTraceId(W3C_TRACE_ID)};Sampled=1`);
          assert.equal(body.downstream, `Root=${xrayTraceId(W3C_TRACE_ID)};Parent=${span.spanContext().spanId};Sampled=1`);
        });
      }

      it('a garbage X-Amzn-Trace-Id leaves traceparent to decide', async () => {
        const { path } = await get(server(), { 'x-amzn-trace-id': 'Root=nonsense', traceparent: `00-${W3C_TRACE_ID}-${W3C_PARENT}-01` });
        const span = await serverSpan(path);
        assert.equal(span.spanContext().traceId, W3C_TRACE_ID);
        assert.equal(parentId(span), W3C_PARENT);
      });
    });
  }
});

describe('OTEL_PROPAGATORS=tracecontext,xray: traceparent, listed first, wins', () => {
  before(async () => {
    process.env.OTEL_PROPAGATORS = 'tracecontext,xray';
    await start();
  });
  after(async () => {
    delete process.env.OTEL_PROPAGATORS;
    await stop();
  });

  for (const name of ['express', 'fastify', 'koa']) {
    it(`${name}: the server span is a child of the traceparent span`, async () => {
      const server = servers.find((s) => s.name === name);
      const { path } = await get(server, {
        'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1`,
        traceparent: `00-${W3C_TRACE_ID}-${W3C_PARENT}-01`,
      });
      const span = await serverSpan(path);
      assert.equal(span.spanContext().traceId, W3C_TRACE_ID);
      assert.equal(parentId(span), W3C_PARENT);
    });

    it(`${name}: X-Ray still decides when there is no traceparent`, async () => {
      const server = servers.find((s) => s.name === name);
      const { path } = await get(server, { 'x-amzn-trace-id': `Root=${ALB_ROOT}` });
      const span = await serverSpan(path);
      assert.equal(span.spanContext().traceId, ALB_TRACE_ID);
      assert.equal(parentId(span), undefined);
    });
  }
});

describe('a local decision not to sample (parentbased_always_off)', () => {
  before(() => start({ sampler: 'parentbased_always_off' }));
  after(stop);

  for (const name of ['express', 'fastify', 'koa']) {
    it(`${name}: Sampled=? and Root-only headers get Sampled=0 back, with the caller's Root`, async () => {
      const server = servers.find((s) => s.name === name);
      const deferred = await get(server, { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=?` });
      assert.equal(deferred.header, `Root=${ROOT};Sampled=0`);
      assert.match(deferred.body.downstream, new RegExp(`^Root=${ROOT};Parent=[0-9a-f]{16};Sampled=0$`));
      const alb = await get(server, { 'x-amzn-trace-id': `Root=${ALB_ROOT}` });
      assert.equal(alb.header, `Root=${ALB_ROOT};Sampled=0`);
      // The caller's decision still rules over the local one.
      const sampled = await get(server, { 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1` });
      assert.equal(sampled.header, `Root=${ROOT};Sampled=1`);
      const span = await serverSpan(sampled.path);
      assert.equal(parentId(span), PARENT);
      assert.equal(memory.exporter.getFinishedSpans().some((s) => [deferred.path, alb.path].includes(s.attributes['url.path'])), false);
    });
  }
});
