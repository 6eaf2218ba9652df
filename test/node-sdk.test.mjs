// An app that runs its own @opentelemetry/sdk-node NodeSDK: with xrayNodeSdkConfig() spread into
// its options it gets what startTracing gives; without, the middleware says once what is missing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { context, propagation, trace } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { xrayNodeSdkConfig } from 'otel-xray';
import { KIND, exportTo, startApp, startOtlpReceiver } from './support/child-apps.mjs';
import { listen } from './support/tracing.mjs';

const APP = 'test/support/node-sdk-app.mjs';
const XRAY_RESPONSE = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Sampled=([01])$/;
const XRAY_OUTBOUND = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Parent=([0-9a-f]{16});Sampled=([01])$/;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;
const PARENT = '53995c3f42cd8ad8';

/** A downstream service that answers with the trace headers it received. */
async function startDownstream() {
  const server = http.createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ xray: req.headers['x-amzn-trace-id'] ?? null, traceparent: req.headers.traceparent ?? null }));
  });
  return listen(server);
}

/** A fresh X-Ray trace id made now: [Root, OTel trace id]. */
function newRoot() {
  const seconds = Math.floor(Date.now() / 1000).toString(16).padStart(8, '0');
  const unique = randomBytes(12).toString('hex');
  return [`1-${seconds}-${unique}`, seconds + unique];
}

async function get(app, path, headers = {}) {
  const response = await fetch(app.url + path, { headers });
  return { status: response.status, header: response.headers.get('x-amzn-trace-id'), sent: await response.json() };
}

const isRecentXRayId = (traceId) => Math.abs(Number.parseInt(traceId.slice(0, 8), 16) - Date.now() / 1000) < 600;
const duplicateRegistration = (stderr) => /duplicate registration/i.test(stderr);

for (const framework of ['express', 'fastify', 'koa']) {
  describe(`NodeSDK with xrayNodeSdkConfig(), ${framework}`, () => {
    let receiver;
    let downstream;
    let app;
    before(async () => {
      receiver = await startOtlpReceiver();
      downstream = await startDownstream();
      app = await startApp([APP], exportTo(receiver, { APP_SETUP: 'xray', APP_FRAMEWORK: framework, DOWNSTREAM_URL: downstream.url }));
    });
    after(async () => {
      await app?.stop();
      await downstream?.close();
      await receiver?.close();
    });

    it('starts new traces with X-Ray ids, names them in the response, and carries both headers out', async () => {
      const { status, header, sent } = await get(app, '/orders/1');
      assert.equal(status, 200);
      const [, seconds, unique, sampled] = XRAY_RESPONSE.exec(header) ?? assert.fail(`response header ${header}`);
      const traceId = seconds + unique;
      assert.ok(isRecentXRayId(traceId), traceId);
      assert.equal(sampled, '1');
      const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === traceId && s.kind === KIND.CLIENT), 'the client span');
      const server = spans.find((s) => s.traceId === traceId && s.kind === KIND.SERVER);
      const client = spans.find((s) => s.traceId === traceId && s.kind === KIND.CLIENT);
      assert.ok(server, 'a server span');
      assert.equal(server.name, 'GET /orders/:id');
      assert.equal(server.resource['service.name'], 'orders');
      assert.equal(client.parentSpanId, server.spanId);
      assert.equal(sent.xray, `Root=1-${seconds}-${unique};Parent=${client.spanId};Sampled=1`);
      assert.equal(sent.traceparent, `00-${traceId}-${client.spanId}-01`);
    });

    it('continues an incoming X-Amzn-Trace-Id', async () => {
      const [root, traceId] = newRoot();
      const { header, sent } = await get(app, '/orders/2', { 'x-amzn-trace-id': `Root=${root};Parent=${PARENT};Sampled=1` });
      assert.equal(header, `Root=${root};Sampled=1`);
      const [, , , parent] = XRAY_OUTBOUND.exec(sent.xray) ?? assert.fail(sent.xray);
      const spans = await receiver.waitFor((all) => all.some((s) => s.spanId === parent), 'the client span');
      const server = spans.find((s) => s.traceId === traceId && s.kind === KIND.SERVER);
      assert.equal(server.parentSpanId, PARENT);
    });

    it('continues a Root-only header (ALB) with the same trace id and no parent', async () => {
      const [root, traceId] = newRoot();
      const { header } = await get(app, '/orders/3', { 'x-amzn-trace-id': `Root=${root}` });
      assert.equal(header, `Root=${root};Sampled=1`);
      const spans = await receiver.waitFor((all) => all.some((s) => s.traceId === traceId && s.kind === KIND.SERVER), 'the server span');
      assert.equal(spans.find((s) => s.traceId === traceId && s.kind === KIND.SERVER).parentSpanId, undefined);
    });

    it('samples by the X-Ray rules given', async () => {
      const { header, sent } = await get(app, '/unsampled/4');
      const [, seconds, unique, sampled] = XRAY_RESPONSE.exec(header) ?? assert.fail(header);
      assert.equal(sampled, '0');
      assert.match(sent.xray, /;Sampled=0$/);
      assert.match(sent.traceparent, TRACEPARENT);
      // A later sampled request's spans arrive; the unsampled one left none.
      const probe = await get(app, '/orders/5');
      const [, probeSeconds, probeUnique] = XRAY_RESPONSE.exec(probe.header);
      await receiver.waitFor((all) => all.some((s) => s.traceId === probeSeconds + probeUnique && s.kind === KIND.CLIENT), 'the probe spans');
      assert.equal(receiver.spans.filter((s) => s.traceId === seconds + unique).length, 0);
    });

    it('prints no warning and no duplicate registration', () => {
      assert.equal(duplicateRegistration(app.stderr), false, app.stderr);
      assert.doesNotMatch(app.stderr, /otel-xray/, app.stderr);
    });
  });
}

describe('NodeSDK without xrayNodeSdkConfig()', () => {
  let receiver;
  let downstream;
  before(async () => {
    receiver = await startOtlpReceiver();
    downstream = await startDownstream();
  });
  after(async () => {
    await downstream?.close();
    await receiver?.close();
  });

  for (const setup of ['plain', 'plain+start']) {
    it(`${setup}: says once that X-Ray ids and propagation are missing, with no duplicate registration`, async () => {
      const app = await startApp([APP], exportTo(receiver, { APP_SETUP: setup, DOWNSTREAM_URL: downstream.url }));
      try {
        for (let i = 0; i < 3; i++) {
          const { status, header } = await get(app, `/orders/${i}`);
          assert.equal(status, 200);
          assert.match(header, XRAY_RESPONSE);
        }
        const warnings = app.stderr.match(/otel-xray: the OpenTelemetry provider this app registered has no X-Ray trace ids and no X-Amzn-Trace-Id propagation/g) ?? [];
        assert.equal(warnings.length, 1, app.stderr);
        assert.match(app.stderr, /xrayNodeSdkConfig/);
        assert.equal(duplicateRegistration(app.stderr), false, app.stderr);
      } finally {
        await app.stop();
      }
    });
  }
});

describe('xrayNodeSdkConfig({ exporter: "none" })', () => {
  it('still gets the SDK to register a provider, with X-Ray ids and header', async () => {
    const sdk = new NodeSDK({ ...xrayNodeSdkConfig({ exporter: 'none' }), serviceName: 'orders' });
    sdk.start();
    try {
      const span = trace.getTracer('node-sdk-test').startSpan('work');
      span.end();
      assert.equal(span.isRecording(), false, 'ended');
      assert.ok(isRecentXRayId(span.spanContext().traceId), span.spanContext().traceId);
      const carrier = {};
      propagation.inject(trace.setSpan(context.active(), span), carrier);
      assert.match(carrier['X-Amzn-Trace-Id'], XRAY_OUTBOUND);
    } finally {
      await sdk.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    }
  });
});

describe('NodeSDK with the OTel X-Ray id generator and propagator', () => {
  it('is X-Ray enough: no warning, X-Ray ids, the incoming header continued', async () => {
    const receiver = await startOtlpReceiver();
    const downstream = await startDownstream();
    const app = await startApp([APP], exportTo(receiver, { APP_SETUP: 'stock', DOWNSTREAM_URL: downstream.url }));
    try {
      const fresh = await get(app, '/orders/1');
      const [, seconds, unique] = XRAY_RESPONSE.exec(fresh.header) ?? assert.fail(fresh.header);
      assert.ok(isRecentXRayId(seconds + unique));
      const [root] = newRoot();
      const continued = await get(app, '/orders/2', { 'x-amzn-trace-id': `Root=${root};Parent=${PARENT};Sampled=1` });
      assert.equal(continued.header, `Root=${root};Sampled=1`);
      assert.doesNotMatch(app.stderr, /otel-xray/, app.stderr);
    } finally {
      await app.stop();
      await downstream.close();
      await receiver.close();
    }
  });
});
