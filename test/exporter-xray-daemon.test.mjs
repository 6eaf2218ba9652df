// xray-daemon exporter: X-Ray segment documents over UDP, translated as the collector's awsxray exporter does.
import { DiagLogLevel, SpanKind, SpanStatusCode, diag, trace } from '@opentelemetry/api';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { annotate, setMetadata, startTracing } from 'otel-xray';
import { xrayErrorHandler, xrayTracing } from 'otel-xray/express';
import { xrayTracing as fastifyTracing } from 'otel-xray/fastify';
import { xrayTracing as koaTracing } from 'otel-xray/koa';
import { startDaemonListener } from './support/receivers.mjs';
import { listen, xrayTraceId } from './support/tracing.mjs';

const warnings = [];
const listener = await startDaemonListener();
let tracing;
let app;

const XRAY_TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const hasMicros = (t) => typeof t === 'number' && Math.abs(Math.round(t * 1e6) / 1e6 - t) < 1e-9;

function rootOf(response) {
  return /Root=([^;]+)/.exec(response.headers.get('x-amzn-trace-id'))[1];
}

async function documentsOf(traceId, count) {
  await tracing.forceFlush();
  return listener.waitFor(count, (doc) => doc.trace_id === traceId);
}

/** Ends a span made in `fn` and returns its document. */
async function documentOf(name, options, fn = () => {}) {
  const tracer = trace.getTracer('test');
  const span = tracer.startSpan(name, options);
  fn(span);
  span.end();
  const { traceId, spanId } = span.spanContext();
  const [doc] = await documentsOf(xrayTraceId(traceId), 1).then((docs) => docs.filter((d) => d.id === spanId));
  assert.ok(doc, `document for ${name}`);
  return doc;
}

before(async () => {
  assert.throws(() => startTracing({ exporter: 'xray-daemon', endpoint: 'not an address' }), (error) =>
    error instanceof TypeError && error.message.startsWith('otel-xray: endpoint must be "host:port"'));
  tracing = startTracing({
    exporter: 'xray-daemon',
    endpoint: listener.address,
    serviceName: 'orders',
    flushOnSigterm: false,
    outbound: false,
    resourceAttributes: {
      'cloud.provider': 'aws',
      'cloud.platform': 'aws_ecs',
      'aws.ecs.launchtype': 'fargate',
      'aws.ecs.cluster.arn': 'arn:aws:ecs:us-east-1:123456789012:cluster/prod',
      'container.name': 'orders-api',
      'service.version': '1.4.2',
    },
  });
  diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  app = express();
  app.use(xrayTracing());
  app.get('/orders/:id', (req, res) => {
    annotate('customer_tier', 'gold');
    annotate('order_id', Number(req.params.id));
    setMetadata('cart', { items: 3 });
    setMetadata('query', { plan: 'fast' }, 'debug');
    trace.getActiveSpan().setAttribute('enduser.id', 'user-7');
    res.send('ok');
  });
  app.get('/checkout', async (req, res) => {
    // An outbound call, as the outbound hooks record it: a CLIENT child of the server span.
    const client = trace.getTracer('test').startSpan('GET', {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': 'GET', 'url.full': 'http://payments.internal:8080/charge?x=1', 'server.address': 'payments.internal', 'server.port': 8080, 'http.response.status_code': 503 },
    });
    client.setStatus({ code: SpanStatusCode.ERROR });
    client.end();
    res.send('paid');
  });
  app.get('/status/:code', (req, res) => res.status(Number(req.params.code)).send('x'));
  app.get('/boom', () => {
    throw new TypeError('the order service exploded');
  });
  app.use(xrayErrorHandler());
  app.use((error, req, res, _next) => res.status(500).send('failed'));
});

after(async () => {
  await tracing.shutdown();
  await listener.close();
});

describe('xray-daemon exporter over a real UDP socket', () => {
  test('every datagram is the daemon header plus one valid JSON document', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const response = await fetch(`${server.url}/orders/1`);
    await documentsOf(rootOf(response), 1);
    await server.close();
    assert.equal(listener.malformed.length, 0);
    assert.ok(listener.datagrams.every((d) => d.toString().startsWith('{"format": "json", "version": 1}\n')));
  });

  test('SERVER span → segment: X-Ray trace id, span id, epoch-second times with microseconds, no type, named after the service', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const response = await fetch(`${server.url}/orders/2`);
    const [segment] = await documentsOf(rootOf(response), 1);
    await server.close();
    assert.match(segment.trace_id, XRAY_TRACE_ID);
    assert.match(segment.id, SPAN_ID);
    assert.equal(segment.type, undefined);
    assert.equal(segment.parent_id, undefined);
    assert.equal(segment.name, 'orders');
    assert.ok(hasMicros(segment.start_time) && hasMicros(segment.end_time));
    assert.ok(segment.end_time >= segment.start_time);
    assert.ok(Math.abs(segment.start_time - Date.now() / 1000) < 600, 'start_time is epoch seconds');
    assert.equal(segment.fault, false);
    assert.equal(segment.error, false);
    assert.equal(segment.throttle, false);
  });

  test('request with an outbound call: the CLIENT child is an independent subsegment linked to the segment', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const response = await fetch(`${server.url}/checkout`);
    const traceId = rootOf(response);
    const docs = await documentsOf(traceId, 2);
    await server.close();
    const segment = docs.find((d) => d.type === undefined);
    const sub = docs.find((d) => d.type === 'subsegment');
    assert.ok(segment && sub);
    assert.equal(sub.trace_id, traceId);
    assert.equal(sub.parent_id, segment.id);
    assert.equal(sub.namespace, 'remote');
    assert.equal(sub.name, 'payments.internal');
    assert.deepEqual(sub.http.request, { method: 'GET', url: 'http://payments.internal:8080/charge?x=1' });
    assert.equal(sub.http.response.status, 503);
    assert.equal(sub.fault, true, '5xx → fault');
    // The OTel SDK starts a span at Date.now() (whole milliseconds) and adds a precise duration,
    // so a child can start or end up to 1 ms outside its parent.
    assert.ok(sub.start_time >= segment.start_time - 0.001, 'the subsegment starts within the segment, to the millisecond');
    assert.ok(sub.end_time <= segment.end_time + 0.001, 'the subsegment ends within the segment, to the millisecond');
    assert.equal(sub.metadata, undefined, 'resource attributes only go on segments');
  });

  test('http block from the stable HTTP conventions (server side)', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const response = await fetch(`${server.url}/orders/3`, { headers: { 'user-agent': 'agent/1.0' } });
    const [segment] = await documentsOf(rootOf(response), 1);
    await server.close();
    assert.equal(segment.http.request.method, 'GET');
    assert.equal(segment.http.request.url, `http://127.0.0.1:${server.port}/orders/3`);
    assert.equal(segment.http.request.user_agent, 'agent/1.0');
    assert.equal(segment.http.request.client_ip, '127.0.0.1');
    assert.equal(segment.http.response.status, 200);
    assert.equal(segment.metadata.default['http.request.method'], undefined, 'attributes the http block took are not repeated in metadata');
    assert.equal(segment.metadata.default['http.route'], '/orders/:id');
  });

  test('x_forwarded_for only when the client IP came from X-Forwarded-For (the socket peer is recorded apart)', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const [direct] = await documentsOf(rootOf(await fetch(`${server.url}/orders/4`)), 1);
    const [forwarded] = await documentsOf(rootOf(await fetch(`${server.url}/orders/5`, { headers: { 'x-forwarded-for': '203.0.113.9, 10.0.0.1' } })), 1);
    await server.close();
    assert.equal(direct.http.request.client_ip, '127.0.0.1');
    assert.equal(direct.http.request.x_forwarded_for, undefined);
    assert.equal(forwarded.http.request.client_ip, '203.0.113.9');
    assert.equal(forwarded.http.request.x_forwarded_for, true);
  });

  test('content_length from the Content-Length the response declared (express, fastify, koa)', async () => {
    const express = await listen(app.listen(0, '127.0.0.1'));
    const [fromExpress] = await documentsOf(rootOf(await fetch(`${express.url}/orders/6`)), 1);
    await express.close();
    assert.deepEqual(fromExpress.http.response, { status: 200, content_length: 2 });

    const fastify = Fastify();
    await fastify.register(fastifyTracing);
    fastify.get('/size', async () => 'twelve bytes');
    await fastify.listen({ port: 0, host: '127.0.0.1' });
    const [fromFastify] = await documentsOf(rootOf(await fetch(`http://127.0.0.1:${fastify.server.address().port}/size`)), 1);
    await fastify.close();
    assert.deepEqual(fromFastify.http.response, { status: 200, content_length: 12 });

    const koa = new Koa();
    koa.use(koaTracing());
    koa.use((ctx) => {
      ctx.body = 'seven b';
    });
    const koaServer = await listen(koa.listen(0, '127.0.0.1'));
    const [fromKoa] = await documentsOf(rootOf(await fetch(`${koaServer.url}/`)), 1);
    await koaServer.close();
    assert.deepEqual(fromKoa.http.response, { status: 200, content_length: 7 });
  });

  test('database call → sql block; db.* attributes not repeated in metadata', async () => {
    const doc = await documentOf('SELECT orders', {
      kind: SpanKind.CLIENT,
      attributes: { 'db.system': 'postgresql', 'db.name': 'orders', 'db.user': 'app', 'db.statement': 'SELECT * FROM orders', 'db.connection_string': 'postgresql://db.internal:5432' },
    });
    assert.equal(doc.name, 'orders@db.internal');
    assert.deepEqual(doc.sql, {
      url: 'SELECT orders',
      connection_string: 'postgresql://db.internal:5432/orders',
      database_type: 'postgresql',
      user: 'app',
      sanitized_query: 'SELECT * FROM orders',
    });
    assert.equal(doc.metadata?.default?.['db.statement'], undefined);
  });

  test('a long URL and user are cut to the schema\'s 250 characters, so X-Ray keeps the document', async () => {
    const doc = await documentOf('long', {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'GET', 'url.full': `https://shop.example/${'a'.repeat(400)}`, 'enduser.id': 'u'.repeat(300) },
    });
    assert.equal(doc.http.request.url.length, 250);
    assert.equal(doc.user.length, 250);
  });

  test('http block from the old HTTP conventions', async () => {
    const doc = await documentOf('legacy', {
      kind: SpanKind.SERVER,
      attributes: { 'http.method': 'POST', 'http.url': 'https://shop.example/cart', 'http.status_code': 201, 'http.user_agent': 'old/2', 'http.client_ip': '10.1.2.3' },
    });
    assert.deepEqual(doc.http, {
      request: { method: 'POST', url: 'https://shop.example/cart', user_agent: 'old/2', client_ip: '10.1.2.3', x_forwarded_for: true },
      response: { status: 201 },
    });
  });

  test('4xx → error, 429 → error + throttle, 5xx → fault', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const flags = {};
    for (const code of [404, 429, 503]) {
      const [segment] = await documentsOf(rootOf(await fetch(`${server.url}/status/${code}`)), 1);
      flags[code] = { error: segment.error, throttle: segment.throttle, fault: segment.fault };
    }
    await server.close();
    assert.deepEqual(flags, {
      404: { error: true, throttle: false, fault: false },
      429: { error: true, throttle: true, fault: false },
      503: { error: false, throttle: false, fault: true },
    });
  });

  test('exception → cause object with exceptions[] (type, message, parsed stack), fault', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const [segment] = await documentsOf(rootOf(await fetch(`${server.url}/boom`)), 1);
    await server.close();
    assert.equal(segment.fault, true);
    const [exception] = segment.cause.exceptions;
    assert.match(exception.id, SPAN_ID);
    assert.equal(exception.type, 'TypeError');
    assert.equal(exception.message, 'the order service exploded');
    assert.equal(exception.remote, false);
    assert.ok(exception.stack.length > 0);
    assert.ok(exception.stack.some((frame) => frame.path.endsWith('exporter-xray-daemon.test.mjs') && Number.isInteger(frame.line)));
  });

  test('ERROR status without an exception → cause with the status message; CLIENT exceptions are remote', async () => {
    const doc = await documentOf('job', { kind: SpanKind.INTERNAL }, (span) => span.setStatus({ code: SpanStatusCode.ERROR, message: 'queue full' }));
    assert.equal(doc.fault, true);
    assert.equal(doc.cause.exceptions.length, 1);
    assert.equal(doc.cause.exceptions[0].message, 'queue full');
    const client = await documentOf('call', { kind: SpanKind.CLIENT }, (span) => span.recordException(new RangeError('bad')));
    assert.equal(client.cause.exceptions[0].remote, true);
    assert.equal(client.cause.exceptions[0].type, 'RangeError');
  });

  test('annotate → annotations; setMetadata → metadata namespaces; enduser.id → user', async () => {
    const server = await listen(app.listen(0, '127.0.0.1'));
    const [segment] = await documentsOf(rootOf(await fetch(`${server.url}/orders/42`)), 1);
    await server.close();
    assert.deepEqual(segment.annotations, { customer_tier: 'gold', order_id: 42 });
    assert.deepEqual(segment.metadata.default.cart, { items: 3 });
    assert.deepEqual(segment.metadata.debug, { query: { plan: 'fast' } });
    assert.equal(segment.metadata.default['aws.xray.annotations'], undefined);
    assert.equal(segment.metadata.default['aws.xray.metadata.debug'], undefined);
    assert.equal(segment.metadata.default.customer_tier, undefined, 'an annotation is not repeated in metadata');
    assert.equal(segment.user, 'user-7');
  });

  test('annotation keys listed in aws.xray.annotations are sanitised as X-Ray requires; values must be scalars', async () => {
    const doc = await documentOf('annotated', { kind: SpanKind.SERVER }, (span) => span.setAttributes({
      'aws.xray.annotations': ['customer-tier', 'order.id', 'tags', 'missing'],
      'customer-tier': 'gold',
      'order.id': 42,
      tags: ['a', 'b'],
    }));
    assert.deepEqual(doc.annotations, { customer_tier: 'gold', 'order.id': 42 });
    assert.equal(doc.metadata.default.tags, undefined, 'a listed non-scalar is neither annotation nor metadata, as in the collector');
  });

  test('names: invalid characters removed, cut to 200 characters, "span" when nothing is left', async () => {
    const long = await documentOf(`bad<name>!?${'x'.repeat(300)}`, { kind: SpanKind.INTERNAL });
    assert.equal(long.name, `badname${'x'.repeat(193)}`);
    const empty = await documentOf('<>?', { kind: SpanKind.INTERNAL });
    assert.equal(empty.name, 'span');
    const unicode = await documentOf('Größe: café/ü @ 1', { kind: SpanKind.INTERNAL });
    assert.equal(unicode.name, 'Größe: café/ü @ 1');
  });

  test('AWS SDK call → subsegment in namespace aws, named after the service, with operation, region, request id, table and retries', async () => {
    const tracer = trace.getTracer('test');
    const parent = tracer.startSpan('handler', { kind: SpanKind.SERVER });
    const ctx = trace.setSpan((await import('@opentelemetry/api')).context.active(), parent);
    const call = tracer.startSpan('DynamoDB.GetItem', {
      kind: SpanKind.CLIENT,
      attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'GetItem', 'aws.region': 'eu-west-1', 'aws.request_id': 'REQ123', 'aws.dynamodb.table_names': ['orders'], 'http.request.resend_count': 2 },
    }, ctx);
    call.end();
    parent.end();
    const [doc] = (await documentsOf(xrayTraceId(call.spanContext().traceId), 2)).filter((d) => d.id === call.spanContext().spanId);
    assert.equal(doc.type, 'subsegment');
    assert.equal(doc.parent_id, parent.spanContext().spanId);
    assert.equal(doc.namespace, 'aws');
    assert.equal(doc.name, 'DynamoDB');
    assert.equal(doc.aws.operation, 'GetItem');
    assert.equal(doc.aws.region, 'eu-west-1');
    assert.equal(doc.aws.request_id, 'REQ123');
    assert.equal(doc.aws.table_name, 'orders');
    assert.equal(doc.aws.retries, 2);
    assert.equal(doc.metadata?.default?.['http.request.resend_count'], undefined, 'carried in the aws block, not again in metadata');
  });

  test('SQS call → the queue url traceAwsClient records lands in aws.queue_url', async () => {
    const doc = await documentOf('SQS.SendMessage', {
      kind: SpanKind.CLIENT,
      attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'SQS', 'rpc.method': 'SendMessage', 'aws.sqs.queue_url': 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs' },
    });
    assert.equal(doc.aws.queue_url, 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs');
  });

  test('resource → origin, aws.ecs block, service version and otel.resource.* metadata on segments', async () => {
    const doc = await documentOf('root', { kind: SpanKind.SERVER });
    assert.equal(doc.origin, 'AWS::ECS::Fargate');
    assert.equal(doc.aws.ecs.cluster_arn, 'arn:aws:ecs:us-east-1:123456789012:cluster/prod');
    assert.equal(doc.aws.ecs.container, 'orders-api');
    assert.equal(doc.aws.ecs.launch_type, 'fargate');
    assert.equal(doc.aws.xray.sdk, 'opentelemetry for nodejs');
    assert.deepEqual(doc.service, { version: '1.4.2' });
    assert.equal(doc.metadata.default['otel.resource.service.name'], 'orders');
  });

  test('span links → links with X-Ray trace ids', async () => {
    const linked = { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: 1 };
    const doc = await documentOf('consume', { kind: SpanKind.CONSUMER, links: [{ context: linked, attributes: { reason: 'batch' } }] });
    assert.deepEqual(doc.links, [{ trace_id: '1-5759e988-bd862e3fe1be46a994272793', id: '53995c3f42cd8ad8', attributes: { reason: 'batch' } }]);
  });

  test('a document over the 64 KB datagram limit is trimmed (metadata first), never dropped, with one warning', async () => {
    warnings.length = 0;
    const big = await documentOf('big', { kind: SpanKind.SERVER }, (span) => {
      span.setAttribute('payload', 'x'.repeat(70000));
      span.setAttribute('aws.xray.annotations', ['tenant']);
      span.setAttribute('tenant', 'acme');
    });
    assert.equal(big.metadata, undefined);
    assert.deepEqual(big.annotations, { tenant: 'acme' }, 'annotations kept once metadata made room');
    const bigger = await documentOf('bigger', { kind: SpanKind.SERVER }, (span) => span.setAttribute('payload', 'y'.repeat(70000)));
    assert.equal(bigger.metadata, undefined);
    assert.ok(listener.datagrams.every((d) => d.length <= 65507));
    assert.equal(warnings.filter((w) => String(w).includes('was trimmed')).length, 1);
  });
});

/** Runs a child process that traces one SERVER span to the daemon named by AWS_XRAY_DAEMON_ADDRESS. */
function runChild(env) {
  const script = `
    import { trace, SpanKind } from '@opentelemetry/api';
    import { startTracing } from 'otel-xray';
    const tracing = startTracing({ exporter: 'xray-daemon', serviceName: 'child', outbound: false });
    trace.getTracer('child').startSpan('root', { kind: SpanKind.SERVER }).end();
    await tracing.shutdown();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'], cwd: process.cwd() });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited ${code}: ${stderr}`))));
  });
}

describe('AWS_XRAY_DAEMON_ADDRESS and resource detection (child processes)', () => {
  test('the "tcp:host:port udp:host:port" form sends to the UDP address; origin follows cloud.platform', async () => {
    const cases = {
      'cloud.provider=aws,cloud.platform=aws_ec2,host.id=i-0abc,cloud.availability_zone=us-east-1a': 'AWS::EC2::Instance',
      'cloud.provider=aws,cloud.platform=aws_eks,k8s.cluster.name=prod,k8s.pod.name=api-1': 'AWS::EKS::Container',
      'cloud.provider=aws,cloud.platform=aws_elastic_beanstalk,service.namespace=prod-env,service.instance.id=23': 'AWS::ElasticBeanstalk::Environment',
      'cloud.provider=aws,cloud.platform=aws_lambda,faas.name=orders': undefined,
      'cloud.provider=gcp,cloud.platform=gcp_compute_engine': undefined,
    };
    await Promise.all(Object.keys(cases).map((attributes) =>
      runChild({ AWS_XRAY_DAEMON_ADDRESS: `tcp:127.0.0.1:1 udp:127.0.0.1:${listener.port}`, OTEL_RESOURCE_ATTRIBUTES: attributes })));
    const docs = await listener.waitFor(5, (d) => d.name === 'child');
    const byPlatform = Object.fromEntries(docs.map((d) => [d.metadata.default['otel.resource.cloud.platform'], d]));
    assert.equal(byPlatform.aws_ec2.origin, 'AWS::EC2::Instance');
    assert.deepEqual(byPlatform.aws_ec2.aws.ec2, { instance_id: 'i-0abc', availability_zone: 'us-east-1a' });
    assert.equal(byPlatform.aws_eks.origin, 'AWS::EKS::Container');
    assert.deepEqual(byPlatform.aws_eks.aws.eks, { cluster_name: 'prod', pod: 'api-1' });
    assert.equal(byPlatform.aws_elastic_beanstalk.origin, 'AWS::ElasticBeanstalk::Environment');
    assert.deepEqual(byPlatform.aws_elastic_beanstalk.aws.elastic_beanstalk, { environment_name: 'prod-env', deployment_id: 23 });
    assert.equal(byPlatform.aws_lambda.origin, undefined, 'the collector sets no origin for Lambda');
    assert.ok(byPlatform.aws_lambda.aws, 'Lambda still gets the aws block');
    assert.equal(byPlatform.gcp_compute_engine.origin, undefined);
    assert.equal(byPlatform.gcp_compute_engine.aws, undefined, 'no aws block for another cloud');
  });
});
