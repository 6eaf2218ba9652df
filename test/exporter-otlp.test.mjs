// otlp exporter: OTLP/HTTP protobuf to a collector, checked against a real receiver that decodes
// the requests with the OTLP protobuf definitions.
import express from 'express';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { annotate, setMetadata, startTracing } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';
import { startOtlpReceiver } from './support/receivers.mjs';
import { listen } from './support/tracing.mjs';

const SERVER = 2;
const { version: PACKAGE_VERSION } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const receiver = await startOtlpReceiver();
const childReceiver = await startOtlpReceiver();
const jsonReceiver = await startOtlpReceiver();

after(async () => {
  await receiver.close();
  await childReceiver.close();
  await jsonReceiver.close();
});

/** Starts examples/collector/app.mjs as users run it, exporting to `url`; resolves with its base URL. */
async function startExampleApp(env) {
  const child = spawn(process.execPath, ['examples/collector/app.mjs'], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', OTEL_BSP_SCHEDULE_DELAY: '60000', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  let stdout = '';
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`example app exited ${code}: ${stderr}`)));
  });
  return { child, url, stderr: () => stderr };
}

describe('otlp exporter in a child process (examples/collector/app.mjs)', () => {
  test('SIGTERM flushes every finished span: N requests, then SIGTERM, deliver exactly N server spans', async () => {
    const app = await startExampleApp({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${childReceiver.port}`, OTEL_SERVICE_NAME: 'sigterm-app' });
    const N = 12;
    for (let i = 0; i < N; i++) assert.equal((await fetch(`${app.url}/orders/${i}`)).status, 200);
    assert.equal(childReceiver.spans.length, 0, 'nothing exported before SIGTERM (schedule delay is 60 s)');
    const exited = once(app.child, 'exit');
    app.child.kill('SIGTERM');
    await exited;
    const spans = childReceiver.spans.filter((s) => s.kind === SERVER && s.resource['service.name'] === 'sigterm-app');
    assert.equal(spans.length, N, app.stderr());
    assert.deepEqual(spans.map((s) => s.attributes['http.route']), Array(N).fill('/orders/:id'));
  });

  test('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json sends OTLP JSON', async () => {
    const app = await startExampleApp({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${jsonReceiver.port}`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'json-app',
    });
    assert.equal((await fetch(`${app.url}/orders/7`)).status, 200);
    const exited = once(app.child, 'exit');
    app.child.kill('SIGTERM');
    await exited;
    assert.deepEqual([...jsonReceiver.contentTypes], ['application/json']);
    const [span] = jsonReceiver.spans.filter((s) => s.kind === SERVER);
    assert.equal(span.resource['service.name'], 'json-app');
    assert.equal(span.attributes['http.route'], '/orders/:id');
    assert.deepEqual(span.attributes['aws.xray.annotations'], ['customer_tier']);
  });
});

describe('otlp exporter to a real OTLP/HTTP receiver', () => {
  process.env.OTEL_EXPORTER_OTLP_HEADERS = 'x-team=checkout,x-tenant=acme';
  process.env.OTEL_BSP_SCHEDULE_DELAY = '50';
  const tracing = startTracing({
    exporter: 'otlp',
    endpoint: receiver.url,
    serviceName: 'shop',
    resourceAttributes: { 'deployment.environment': 'test' },
    flushOnSigterm: false,
    outbound: false,
  });
  const app = express();
  app.use(xrayTracing());
  app.get('/orders/:id', (req, res) => {
    annotate('customer_tier', 'gold');
    setMetadata('order', { id: req.params.id, items: [1, 2] });
    res.send('ok');
  });

  test('spans arrive as http/protobuf with the OTEL_EXPORTER_OTLP_HEADERS headers', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    await fetch(`${server.url}/orders/first`);
    await server.close();
    await tracing.forceFlush();
    await receiver.waitFor(1, (s) => s.attributes['url.path'] === '/orders/first');
    assert.deepEqual([...receiver.contentTypes], ['application/x-protobuf']);
    assert.equal(receiver.lastHeaders['x-team'], 'checkout');
    assert.equal(receiver.lastHeaders['x-tenant'], 'acme');
  });

  test('N requests then shutdown() deliver exactly N server spans, each with the resource, scope, annotations and metadata', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const N = 25;
    const responses = await Promise.all(Array.from({ length: N }, (_, i) => fetch(`${server.url}/orders/${i}`)));
    assert.ok(responses.every((r) => r.status === 200));
    await server.close();
    await tracing.shutdown();
    const spans = receiver.spans.filter((s) => s.kind === SERVER && /^\/orders\/\d+$/.test(s.attributes['url.path']));
    assert.equal(spans.length, N);
    assert.equal(new Set(spans.map((s) => s.spanId)).size, N, 'no span delivered twice');
    for (const span of spans) {
      assert.equal(span.resource['service.name'], 'shop');
      assert.equal(span.resource['deployment.environment'], 'test');
      assert.equal(span.resource['telemetry.sdk.language'], 'nodejs');
      assert.equal(span.scope, 'otel-xray');
      assert.equal(span.scopeVersion, PACKAGE_VERSION, "the instrumentation scope carries the package's version");
      assert.equal(span.name, 'GET /orders/:id');
      assert.equal(span.attributes['http.request.method'], 'GET');
      assert.equal(span.attributes['http.route'], '/orders/:id');
      assert.equal(span.attributes['http.response.status_code'], 200);
      assert.equal(span.attributes.customer_tier, 'gold');
      assert.deepEqual(span.attributes['aws.xray.annotations'], ['customer_tier']);
      const id = span.attributes['url.path'].split('/').pop();
      assert.deepEqual(JSON.parse(span.attributes['aws.xray.metadata.default']), { order: { id, items: [1, 2] } });
      assert.match(span.traceId, /^[0-9a-f]{32}$/);
      assert.ok(Math.abs(parseInt(span.traceId.slice(0, 8), 16) - Date.now() / 1000) < 600, 'X-Ray trace id: first 8 hex are epoch seconds');
    }
  });
});
