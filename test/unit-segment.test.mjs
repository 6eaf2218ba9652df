// spanToSegment on its own: a ReadableSpan-shaped object in, the X-Ray document out.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fixSegmentName, segmentLimitCounts, spanToSegment } from '../dist/esm/core/exporters/segment/index.js';

const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const PARENT_ID = '1111222233334444';

/** A finished span as the SDK hands it to an exporter; `parent` makes it a child. */
function span({ name = 'op', kind = SpanKind.INTERNAL, attributes = {}, resource = {}, events = [], parent = true, status = SpanStatusCode.UNSET } = {}) {
  return {
    name,
    kind,
    attributes,
    resource: { attributes: { 'service.name': 'orders', ...resource } },
    events,
    links: [],
    status: { code: status },
    startTime: [1700000000, 0],
    endTime: [1700000001, 500000],
    spanContext: () => ({ traceId: TRACE_ID, spanId: '53995c3f42cd8ad8', traceFlags: 1 }),
    parentSpanContext: parent ? { traceId: TRACE_ID, spanId: PARENT_ID, traceFlags: 1 } : undefined,
  };
}

const client = (attributes, name = 'op') => spanToSegment(span({ name, kind: SpanKind.CLIENT, attributes }));
const server = (attributes) => spanToSegment(span({ name: 'GET /orders/:id', kind: SpanKind.SERVER, attributes, parent: false }));

describe('sql block for SQL database calls', () => {
  test('postgresql (old conventions): url is the span name, connection_string <connection>/<db>, type, user, query; db.* not repeated in metadata', () => {
    const doc = client({
      'db.system': 'postgresql',
      'db.name': 'orders',
      'db.user': 'app',
      'db.statement': 'SELECT * FROM orders WHERE id = $1',
      'db.connection_string': 'postgresql://db.internal:5432',
      'db.operation': 'SELECT',
    }, 'SELECT orders');
    assert.deepEqual(doc.sql, {
      url: 'SELECT orders',
      connection_string: 'postgresql://db.internal:5432/orders',
      database_type: 'postgresql',
      user: 'app',
      sanitized_query: 'SELECT * FROM orders WHERE id = $1',
    });
    assert.equal(doc.name, 'orders@db.internal');
    assert.equal(doc.namespace, 'remote');
    for (const key of ['db.system', 'db.name', 'db.user', 'db.statement', 'db.connection_string']) {
      assert.equal(doc.metadata?.default?.[key], undefined, `${key} is carried by the sql block only`);
    }
    assert.equal(doc.metadata.default['db.operation'], 'SELECT', 'attributes sql.go does not read stay in metadata');
  });

  test('mysql without a connection string → localhost/<db>; stable conventions (db.system.name, db.namespace, db.query.text) are read too', () => {
    assert.deepEqual(client({ 'db.system': 'mysql', 'db.name': 'shop' }, 'SELECT').sql, { url: 'SELECT', connection_string: 'localhost/shop', database_type: 'mysql' });
    const stable = client({ 'db.system.name': 'microsoft.sql_server', 'db.namespace': 'crm', 'db.query.text': 'SELECT 1' }, 'SELECT crm');
    assert.deepEqual(stable.sql, { url: 'SELECT crm', connection_string: 'localhost/crm', database_type: 'microsoft.sql_server', sanitized_query: 'SELECT 1' });
    assert.equal(stable.name, 'crm');
  });

  test('not an SQL database (redis, dynamodb): no sql block, db.* stays in metadata', () => {
    const doc = client({ 'db.system': 'redis', 'db.statement': 'GET k' });
    assert.equal(doc.sql, undefined);
    assert.equal(doc.metadata.default['db.system'], 'redis');
    assert.equal(doc.metadata.default['db.statement'], 'GET k');
  });
});

describe('names and namespaces in segment.go order', () => {
  test('peer.service wins over aws.service, and then the namespace is not aws', () => {
    const doc = client({ 'peer.service': 'mysvc', 'aws.service': 'S3' });
    assert.equal(doc.name, 'mysvc');
    assert.equal(doc.namespace, 'remote');
    const internal = spanToSegment(span({ attributes: { 'peer.service': 'mysvc', 'aws.service': 'S3' } }));
    assert.equal(internal.namespace, undefined);
  });

  test('a name from aws.service, or an rpc.system=aws-api span, is in namespace aws', () => {
    const named = spanToSegment(span({ attributes: { 'aws.service': 'S3' } }));
    assert.equal(named.name, 'S3');
    assert.equal(named.namespace, 'aws');
    const sdk = client({ 'rpc.system': 'aws-api', 'peer.service': 'my-bucket-service' });
    assert.equal(sdk.name, 'my-bucket-service');
    assert.equal(sdk.namespace, 'aws');
  });

  test('aws.remote.service names CLIENT, PRODUCER and CONSUMER spans ahead of peer.service; AWS prefixes trimmed on AWS SDK calls', () => {
    assert.equal(client({ 'aws.remote.service': 'billing', 'peer.service': 'other' }).name, 'billing');
    assert.equal(client({ 'aws.remote.service': 'AWS::S3', 'rpc.system': 'aws-api' }).name, 'S3');
    assert.equal(client({ 'aws.remote.service': 'AWS.SDK.DynamoDB', 'rpc.system': 'aws-api' }).name, 'DynamoDB');
    assert.equal(client({ 'aws.remote.service': 'AWS::S3' }).name, 'AWS::S3', 'only AWS SDK spans are trimmed');
    const producer = spanToSegment(span({ kind: SpanKind.PRODUCER, attributes: { 'aws.remote.service': 'queue-worker' } }));
    assert.equal(producer.name, 'queue-worker');
    assert.equal(producer.namespace, 'remote', 'an outgoing subsegment named by aws.remote.service is remote');
    const consumer = spanToSegment(span({ kind: SpanKind.CONSUMER, attributes: { 'peer.service': 'feeder' } }));
    assert.equal(consumer.namespace, undefined);
    const internal = spanToSegment(span({ name: 'work', attributes: { 'aws.remote.service': 'billing' } }));
    assert.equal(internal.name, 'work', 'aws.remote.service does not name INTERNAL spans');
  });

  test('aws.local.service names SERVER spans ahead of peer.service and the resource', () => {
    assert.equal(server({ 'aws.local.service': 'checkout-api', 'peer.service': 'x' }).name, 'checkout-api');
    assert.equal(server({}).name, 'orders');
    assert.equal(client({ 'aws.local.service': 'checkout-api', 'peer.service': 'x' }).name, 'x', 'aws.local.service does not name CLIENT spans');
  });

  test('names keep only the plain space as whitespace; tab, newline and backslash are removed', () => {
    assert.equal(fixSegmentName('a\tb\nc\\d e\r\u00a0f'), 'abcd ef');
    assert.equal(spanToSegment(span({ name: 'load\tjob\\1' })).name, 'loadjob1');
    assert.equal(fixSegmentName('Größe: café/ü @ 1'), 'Größe: café/ü @ 1');
  });
});

describe('x_forwarded_for only when the client address did not come from the socket', () => {
  test('client.address equal to network.peer.address (no X-Forwarded-For): client_ip without x_forwarded_for', () => {
    const doc = server({ 'http.request.method': 'GET', 'client.address': '127.0.0.1', 'network.peer.address': '127.0.0.1' });
    assert.deepEqual(doc.http.request, { method: 'GET', client_ip: '127.0.0.1' });
  });

  test('client.address different from the socket peer (taken from X-Forwarded-For): x_forwarded_for', () => {
    const doc = server({ 'http.request.method': 'GET', 'client.address': '203.0.113.9', 'network.peer.address': '10.0.0.2' });
    assert.deepEqual(doc.http.request, { method: 'GET', client_ip: '203.0.113.9', x_forwarded_for: true });
  });

  test('no socket peer at all: the collector marks a known client IP as forwarded', () => {
    assert.equal(server({ 'http.method': 'GET', 'http.client_ip': '10.1.2.3' }).http.request.x_forwarded_for, true);
    const peerOnly = server({ 'http.method': 'GET', 'net.peer.ip': '10.1.2.3' }).http.request;
    assert.equal(peerOnly.client_ip, '10.1.2.3');
    assert.equal(peerOnly.x_forwarded_for, undefined);
    assert.deepEqual(server({ 'http.request.method': 'GET', 'client.address': 'not-an-ip', 'network.peer.address': 'unix.sock' }).http.request, { method: 'GET' });
  });
});

describe('schema limits: values cut and counted, never a dropped document', () => {
  test('http.request url, user_agent, method and client_ip: 250 characters each; user: 250', () => {
    const before = segmentLimitCounts();
    const doc = server({
      'http.request.method': 'M'.repeat(300),
      'url.full': `https://shop.example/${'p'.repeat(400)}`,
      'user_agent.original': 'ü'.repeat(260),
      'http.client_ip': '1'.repeat(251),
      'enduser.id': 'u'.repeat(251),
    });
    const { request } = doc.http;
    assert.equal(request.method.length, 250);
    assert.equal(request.url, `https://shop.example/${'p'.repeat(400)}`.slice(0, 250));
    assert.equal(request.user_agent, 'ü'.repeat(250));
    assert.equal(request.client_ip.length, 250);
    assert.equal(doc.user.length, 250);
    assert.equal(segmentLimitCounts().truncated - before.truncated, 5);
    const short = server({ 'http.request.method': 'GET', 'url.full': 'https://shop.example/' });
    assert.equal(short.http.request.url, 'https://shop.example/');
    assert.equal(segmentLimitCounts().truncated - before.truncated, 5, 'values within the limits are not counted');
  });

  test('annotation keys cut to 500 characters, string values to 1,000, at most 50 annotations per document', () => {
    const before = segmentLimitCounts();
    const attributes = { 'aws.xray.annotations': ['k'.repeat(600), 'long_value'], ['k'.repeat(600)]: true, long_value: 'v'.repeat(1500) };
    for (let i = 0; i < 60; i++) {
      attributes['aws.xray.annotations'].push(`key${i}`);
      attributes[`key${i}`] = i;
    }
    const doc = server(attributes);
    const keys = Object.keys(doc.annotations);
    assert.equal(keys.length, 50);
    assert.ok(keys.includes('k'.repeat(500)));
    assert.equal(doc.annotations.long_value, 'v'.repeat(1000));
    assert.ok(keys.every((key) => /^[A-Za-z0-9_.]{1,500}$/.test(key)));
    const after = segmentLimitCounts();
    assert.equal(after.droppedAnnotations - before.droppedAnnotations, 12);
    assert.equal(after.truncated - before.truncated, 2);
  });
});

describe('content_length in the response block', () => {
  test('from http.response.body.size or the Content-Length response header', () => {
    assert.deepEqual(server({ 'http.request.method': 'GET', 'http.response.status_code': 200, 'http.response.body.size': 1234 }).http.response, { status: 200, content_length: 1234 });
    assert.deepEqual(client({ 'http.request.method': 'GET', 'url.full': 'http://a/', 'http.response.header.content-length': ['42'] }).http.response, { content_length: 42 });
  });

  test('from a RECEIVED message event, as the collector reads it; absent when nothing declares a length', () => {
    const doc = spanToSegment(span({
      kind: SpanKind.CLIENT,
      attributes: { 'http.method': 'GET', 'http.url': 'http://a/', 'http.status_code': 200 },
      events: [{ name: 'message', attributes: { 'message.type': 'RECEIVED', 'messaging.message_payload_size_bytes': 77 } }],
    }));
    assert.deepEqual(doc.http.response, { status: 200, content_length: 77 });
    assert.deepEqual(server({ 'http.request.method': 'GET', 'http.response.status_code': 204 }).http.response, { status: 204 });
  });
});

describe('flags and causes set directly (aws-xray-sdk addErrorFlag / addThrottleFlag / addError(err, remote))', () => {
  test('aws.xray.error / fault / throttle add their flag to the status-derived ones and stay out of the metadata', () => {
    const doc = server({ 'http.response.status_code': 200, 'aws.xray.error': true, 'aws.xray.throttle': true });
    assert.deepEqual([doc.error, doc.throttle, doc.fault], [true, true, false]);
    assert.ok(!Object.keys(doc.metadata?.default ?? {}).some((key) => key.startsWith('aws.xray.')));
    const failed = server({ 'http.response.status_code': 503, 'aws.xray.error': true });
    assert.deepEqual([failed.error, failed.fault], [true, true]);
    assert.equal(server({ 'aws.xray.fault': true }).fault, true);
  });

  test('an exception event marked aws.xray.exception.remote keeps that mark over the span kind', () => {
    const exception = (remote) => ({ name: 'exception', attributes: { 'exception.type': 'Error', 'exception.message': 'no', 'aws.xray.exception.remote': remote } });
    const internal = spanToSegment(span({ events: [exception(true)] }));
    assert.equal(internal.cause.exceptions[0].remote, true);
    const outbound = spanToSegment(span({ kind: SpanKind.CLIENT, events: [exception(false)] }));
    assert.equal(outbound.cause.exceptions[0].remote, false);
    const unmarked = spanToSegment(span({ kind: SpanKind.CLIENT, events: [{ name: 'exception', attributes: { 'exception.message': 'no' } }] }));
    assert.equal(unmarked.cause.exceptions[0].remote, true);
  });
});
