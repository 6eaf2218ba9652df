// The viewer's receivers and the JSON API its page reads: OTLP/HTTP protobuf and JSON from the
// real OTLP exporters, X-Ray daemon datagrams from the real xray-daemon exporter and in the X-Ray
// SDKs' shape; every X-Ray document is the one the xray-daemon exporter's translation makes.
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { spanToSegment } from '../dist/esm/core/exporters/segment/index.js';
import { XRayDaemonExporter } from '../dist/esm/core/exporters/xray-daemon-exporter.js';
import { pollUntil } from './support/tracing.mjs';
import { DAEMON_HEADER, memoryTracer, orderTrace, postOtlp, sendDatagrams, startTestViewer } from './support/viewer.mjs';

/** A document with its exception ids blanked: the translation draws a fresh random id for each exception. */
function comparable(document) {
  const copy = structuredClone(document);
  for (const exception of copy.cause?.exceptions ?? []) exception.id = '(random)';
  return copy;
}

const exportWith = (exporter, spans) => new Promise((resolve, reject) => exporter.export(spans, (result) => (result.code === 0 ? resolve() : reject(result.error))));

let setup;
before(async () => {
  setup = await startTestViewer();
});
after(() => setup.viewer.close());

async function receivedTrace(traceId, count) {
  return pollUntil(async () => {
    const response = await fetch(new URL(`api/traces/${traceId}`, setup.viewer.pageUrl));
    if (response.status !== 200) return undefined;
    const body = await response.json();
    return body.spans.length >= count ? body : undefined;
  }, 10_000, () => `trace ${traceId} did not arrive`);
}

describe('OTLP/HTTP receiver', () => {
  const { tracer, exporter } = memoryTracer('orders');

  for (const [encoding, Exporter, options] of [
    ['protobuf', OtlpProtoExporter, {}],
    ['JSON', OtlpJsonExporter, {}],
    ['gzip protobuf', OtlpProtoExporter, { compression: 'gzip' }],
  ]) {
    it(`takes ${encoding} from the OTLP exporter; each document is the xray-daemon exporter's translation`, async () => {
      const spans = orderTrace(tracer, exporter);
      const otlp = new Exporter({ url: setup.viewer.otlpUrl, ...options });
      await exportWith(otlp, spans);
      await otlp.shutdown();
      const traceId = spans[0].spanContext().traceId;
      const { summary, spans: received } = await receivedTrace(traceId, 2);
      for (const span of spans) {
        const viewed = received.find((s) => s.spanId === span.spanContext().spanId);
        assert.deepEqual(comparable(viewed.document), comparable(spanToSegment(span)), `${encoding}: ${span.name}`);
        assert.equal(viewed.source, 'otlp');
      }
      assert.deepEqual(received.map((s) => [s.depth, s.service, s.kind, s.name]), [[0, 'orders', 'SERVER', 'GET /orders/:id'], [1, 'orders', 'CLIENT', 'DynamoDB.GetItem']]);
      const client = received[1];
      assert.equal(client.status, 'ERROR');
      assert.equal(client.events[0].name, 'exception');
      assert.equal(client.attributes['rpc.method'], 'GetItem');
      assert.deepEqual(client.warnings, []);
      assert.equal(summary.name, 'GET /orders/:id');
      assert.deepEqual(summary.annotations, { order_id: '42' });
      assert.equal(summary.fault, true);
    });
  }

  it('answers a protobuf request with an empty protobuf response and JSON with {}', async () => {
    const proto = await postOtlp(setup.viewer.otlpUrl, new Uint8Array(0), 'application/x-protobuf');
    assert.equal(proto.status, 200);
    assert.equal(proto.headers.get('content-type'), 'application/x-protobuf');
    assert.equal((await proto.arrayBuffer()).byteLength, 0);
    const json = await postOtlp(setup.viewer.otlpUrl, '{"resourceSpans":[]}', 'application/json; charset=utf-8');
    assert.equal(json.status, 200);
    assert.deepEqual(await json.json(), {});
  });
});

describe('X-Ray warnings', () => {
  it('flags what X-Ray would reject or cut: key characters, annotation count, field lengths, document size', async () => {
    const annotationKeys = ['cart.id', ...Array.from({ length: 60 }, (_, i) => `a${i}`)];
    const attributes = {
      'aws.xray.annotations': annotationKeys,
      ...Object.fromEntries(annotationKeys.map((key) => [key, 'v'])),
      'http.request.method': 'GET',
      'url.full': `http://shop.example/${'p'.repeat(300)}`,
      big: 'y'.repeat(70_000),
    };
    const value = (v) => (Array.isArray(v) ? { arrayValue: { values: v.map((item) => ({ stringValue: item })) } } : { stringValue: v });
    const body = {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] },
        scopeSpans: [{ spans: [{
          traceId: 'abababababababababababababababab', spanId: '2222222222222222', parentSpanId: '3333333333333333', name: 'GET', kind: 3,
          startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000',
          attributes: Object.entries(attributes).map(([key, v]) => ({ key, value: value(v) })),
        }] }],
      }],
    };
    assert.equal((await postOtlp(setup.viewer.otlpUrl, JSON.stringify(body), 'application/json')).status, 200);
    const { spans: [span] } = await receivedTrace('abababababababababababababababab', 1);
    const warnings = span.warnings.join('\n');
    assert.match(warnings, /^11 annotation\(s\) left out: X-Ray keeps 50 per document$/m);
    assert.match(warnings, /^1 value\(s\) cut by the translation to X-Ray's field limits/m);
    assert.match(warnings, /^annotation key "cart\.id": X-Ray allows only letters, digits and _/m);
    assert.match(warnings, /^document is 7\d,\d{3} bytes, over X-Ray's 64 KB limit: the xray-daemon exporter trims it \(metadata\)$/m);
    assert.equal(span.warnings.length, 4, warnings);
    assert.equal(Object.keys(span.document.annotations).length, 50);
    assert.equal(span.document.http.request.url.length, 250);
    // The page shows the document as the translation makes it; the trim happens when it is sent.
    assert.equal(span.document.metadata.default.big.length, 70_000);
  });
});

describe('X-Ray daemon UDP receiver', () => {
  const { tracer, exporter } = memoryTracer('inventory');

  it('takes the xray-daemon exporter\'s datagrams as they are', async () => {
    const spans = orderTrace(tracer, exporter);
    const [host, port] = setup.viewer.udpAddress.split(':');
    const daemon = new XRayDaemonExporter({ host, port: Number(port) });
    await exportWith(daemon, spans);
    await daemon.shutdown();
    const { spans: received } = await receivedTrace(spans[0].spanContext().traceId, 2);
    for (const span of spans) assert.deepEqual(comparable(received.find((s) => s.spanId === span.spanContext().spanId).document), comparable(spanToSegment(span)));
    assert.deepEqual(received.map((s) => [s.depth, s.service, s.kind, s.source]), [[0, 'inventory', 'SERVER', 'xray-udp'], [1, 'inventory', 'CLIENT', 'xray-udp']]);
  });

  it('flattens a segment with inline subsegments, as the X-Ray SDKs send it', async () => {
    const segment = {
      name: 'payments', id: 'aaaaaaaaaaaaaaa1', trace_id: '1-6745d1c0-0123456789abcdef01234567', start_time: 1_700_000_000, end_time: 1_700_000_000.25,
      http: { request: { method: 'POST', url: 'http://payments/charge' }, response: { status: 502 } }, fault: true,
      annotations: { 'customer.tier': 'gold' },
      subsegments: [{ name: 'Stripe', id: 'aaaaaaaaaaaaaaa2', namespace: 'remote', start_time: 1_700_000_000.05, end_time: 1_700_000_000.2, fault: true }],
    };
    await sendDatagrams(setup.viewer.udpAddress, [Buffer.from(DAEMON_HEADER + JSON.stringify(segment))]);
    const { spans } = await receivedTrace('6745d1c00123456789abcdef01234567', 2);
    assert.deepEqual(spans.map((s) => [s.depth, s.service, s.kind, s.name, s.endMs - s.startMs]), [[0, 'payments', 'SERVER', 'payments', 250], [1, 'payments', 'CLIENT', 'Stripe', 150]]);
    assert.equal(spans[0].document.subsegments, undefined);
    assert.equal(spans[1].parentSpanId, 'aaaaaaaaaaaaaaa1');
    assert.match(spans[0].warnings.join('\n'), /annotation key "customer\.tier": X-Ray allows only letters, digits and _/);
  });
});

describe('the JSON API the page reads', () => {
  it('lists traces newest first with their summary, and 404s an unknown trace', async () => {
    const { traces } = await setup.api('api/traces');
    assert.equal(traces.length, 6);
    for (let i = 1; i < traces.length; i++) assert.ok(traces[i - 1].startMs >= traces[i].startMs);
    const payments = traces.find((t) => t.name === 'payments');
    assert.equal(payments.xrayTraceId, '1-6745d1c0-0123456789abcdef01234567');
    assert.deepEqual(payments.services, ['payments']);
    assert.equal(payments.durationMs, 250);
    assert.equal(payments.warningCount, 1);
    const byXrayId = await setup.api('api/traces/1-6745d1c0-0123456789abcdef01234567');
    assert.equal(byXrayId.spans.length, 2);
    assert.equal((await fetch(new URL('api/traces/0123456789abcdef0123456789abcdef', setup.viewer.pageUrl))).status, 404);
  });

  it('builds the service map: services, remote and AWS nodes, edges with counts and error rates', async () => {
    const { nodes, edges } = await setup.api('api/service-map');
    const node = (name) => nodes.find((n) => n.name === name);
    assert.equal(node('payments').type, 'service');
    assert.deepEqual(node('Stripe'), { name: 'Stripe', type: 'remote', count: 1, failures: 1 });
    assert.equal(node('DynamoDB').type, 'aws');
    assert.deepEqual(edges.find((e) => e.from === 'payments'), { from: 'payments', to: 'Stripe', count: 1, failures: 1 });
    assert.deepEqual(edges.find((e) => e.from === 'orders'), { from: 'orders', to: 'DynamoDB', count: 3, failures: 3 });
    assert.ok(edges.some((e) => e.from === 'Client' && e.to === 'orders'));
  });

  it('reports counts and addresses in /api/stats', async () => {
    const stats = await setup.api('api/stats');
    assert.equal(stats.accepted.otlpRequests, 6);
    assert.equal(stats.accepted.udpDatagrams, 3);
    assert.equal(stats.traces, 6);
    assert.equal(stats.spans, 11);
    assert.deepEqual(stats.rejected, { protobuf: 0, json: 0, udp: 0, other: 0 });
    assert.equal(stats.addresses.otlp, setup.viewer.otlpUrl);
    assert.equal(typeof stats.version, 'number');
  });

  it('serves the page files, and nothing else from disk', async () => {
    for (const [path, type] of [['', 'text/html'], ['app.js', 'text/javascript'], ['style.css', 'text/css'], ['service-map.js', 'text/javascript']]) {
      const response = await fetch(new URL(path, setup.viewer.pageUrl));
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type'), new RegExp(`^${type}`));
    }
    for (const path of ['../package.json', '%2e%2e/package.json', 'page-server.js.map', 'nope.js']) {
      assert.equal((await fetch(new URL(path, setup.viewer.pageUrl))).status, 404, path);
    }
    assert.equal((await fetch(setup.viewer.pageUrl, { method: 'POST' })).status, 405);
  });

  it('reports each trace once as finished, with its tree, and again when more spans arrive', async () => {
    setup.viewer.settle();
    setup.viewer.settle();
    assert.equal(setup.finished.length, 6);
    const payments = setup.finished.find((f) => f.traceId === '6745d1c00123456789abcdef01234567');
    assert.deepEqual(payments.spans.map((s) => s.name), ['payments', 'Stripe']);
    assert.equal(payments.update, false);
    const late = { name: 'ledger', id: 'aaaaaaaaaaaaaaa3', trace_id: '1-6745d1c0-0123456789abcdef01234567', parent_id: 'aaaaaaaaaaaaaaa1', type: 'subsegment', namespace: 'remote', start_time: 1_700_000_000.21, end_time: 1_700_000_000.22 };
    await sendDatagrams(setup.viewer.udpAddress, [Buffer.from(DAEMON_HEADER + JSON.stringify(late))]);
    await receivedTrace('6745d1c00123456789abcdef01234567', 3);
    setup.viewer.settle();
    assert.equal(setup.finished.length, 7);
    const again = setup.finished[6];
    assert.equal(again.update, true);
    // An independent subsegment takes the service of the segment it belongs to.
    assert.deepEqual(again.spans.map((s) => [s.depth, s.service, s.name]), [[0, 'payments', 'payments'], [1, 'payments', 'Stripe'], [1, 'payments', 'ledger']]);
  });
});

describe('otel-xray dev (the bin)', () => {
  const cli = fileURLToPath(new URL('../dist/esm/dev/cli.js', import.meta.url));

  it('prints its addresses, then each finished trace as a tree; stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [cli, 'dev', '--port', '0', '--otlp-port', '0', '--udp-port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    try {
      const otlpUrl = await pollUntil(() => /OTLP\/HTTP +(\S+)/.exec(output)?.[1], 10_000, () => `no addresses in:\n${output}`);
      assert.match(output, /page +http:\/\/127\.0\.0\.1:\d+\//);
      assert.match(output, /X-Ray UDP +127\.0\.0\.1:\d+/);
      const { tracer, exporter } = memoryTracer('orders');
      const otlp = new OtlpJsonExporter({ url: otlpUrl });
      await exportWith(otlp, orderTrace(tracer, exporter));
      await otlp.shutdown();
      const tree = await pollUntil(() => /^Trace 1-\S+\n└─ \[orders\] SERVER GET \/orders\/:id .*\n {3}└─ \[orders\] CLIENT DynamoDB\.GetItem .* ERROR /m.exec(output)?.[0], 20_000, () => `no tree in:\n${output}`);
      assert.match(tree, /order_id=42/);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await new Promise((resolve) => child.once('exit', (...args) => resolve(args)));
    assert.equal(code, 0);
  });

  it('rejects a bad port with a message and exit code 1', async () => {
    const child = spawn(process.execPath, [cli, 'dev', '--port', 'eighty'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const [code] = await new Promise((resolve) => child.once('exit', (...args) => resolve(args)));
    assert.equal(code, 1);
    assert.match(stderr, /--port must be a port number/);
  });
});
