// traceAwsClient: AWS SDK v3 DynamoDB calls inside a traced express request, against dynalite,
// through a proxy that records the headers and checks the SigV4 signature of every request.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import express from 'express';
import { traceAwsClient } from 'otel-xray/aws-sdk';
import { xrayErrorHandler, xrayTracing } from 'otel-xray/express';
import { startDynalite } from './support/dynalite.mjs';
import { parentIdOf, parseXRay } from './support/outbound.mjs';
import { startAwsProxy } from './support/outbound-aws-proxy.mjs';
import { listen, startMemoryTracing, xrayTraceId } from './support/tracing.mjs';

const SECRET = 'dummy-secret-access-key';
process.env.AWS_ACCESS_KEY_ID = 'AKIDDUMMYEXAMPLE';
process.env.AWS_SECRET_ACCESS_KEY = SECRET;
process.env.AWS_REGION = 'us-east-1';
delete process.env.AWS_SESSION_TOKEN;
delete process.env.AWS_PROFILE;

const memory = startMemoryTracing({ outbound: true });
let dynamo;
let proxy;
let app;
let ddb;

function routes() {
  const router = express();
  router.use(xrayTracing());
  router.use(express.json());
  router.put('/items/:id', async (req, res) => {
    await ddb.send(new PutItemCommand({ TableName: 'items', Item: { id: { S: req.params.id }, name: { S: req.body.name } } }));
    res.status(204).end();
  });
  router.get('/items/:id', async (req, res) => {
    const { Item } = await ddb.send(new GetItemCommand({ TableName: 'items', Key: { id: { S: req.params.id } } }));
    res.json({ name: Item?.name?.S });
  });
  router.get('/missing-table', async (req, res) => {
    try {
      await ddb.send(new GetItemCommand({ TableName: 'no-such-table', Key: { id: { S: 'x' } } }));
      res.end('found?');
    } catch (error) {
      res.status(404).json({ name: error.name, isResourceNotFound: error instanceof ResourceNotFoundException });
    }
  });
  router.use(xrayErrorHandler());
  return router;
}

before(async () => {
  dynamo = await startDynalite();
  proxy = await startAwsProxy(dynamo.port, SECRET);
  ddb = traceAwsClient(new DynamoDBClient({ endpoint: proxy.url, maxAttempts: 3 }));
  // Outside any trace: no span, no trace header.
  await ddb.send(
    new CreateTableCommand({
      TableName: 'items',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  app = await listen(http.createServer(routes()));
});

after(async () => {
  ddb.destroy();
  await app.close();
  await proxy.close();
  await dynamo.close();
  await memory.tracing.shutdown();
});

async function call(method, path, body) {
  const answer = await fetch(`${app.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: answer.status, body: await answer.text() };
}

/** The SERVER span and the AWS span of the one request just made (exactly two spans: no HTTP span underneath). */
async function twoSpans() {
  const spans = await memory.spans(2);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const all = memory.exporter.getFinishedSpans();
  assert.equal(all.length, 2, `spans: ${all.map((s) => s.name).join(', ')}`);
  return { server: spans.find((s) => s.kind === SpanKind.SERVER), aws: spans.find((s) => s.kind === SpanKind.CLIENT) };
}

describe('traceAwsClient with DynamoDB (dynalite)', () => {
  it('returns the same client, and tracing it twice adds the middleware once', () => {
    const client = new DynamoDBClient({ endpoint: proxy.url });
    assert.equal(traceAwsClient(client), client);
    traceAwsClient(client);
    const ours = client.middlewareStack.identify().filter((entry) => entry.includes('otelXray'));
    assert.equal(ours.length, 3, ours.join('\n'));
    // A second client object sharing the stack (as DynamoDBDocumentClient does) is already traced.
    const sharing = { middlewareStack: client.middlewareStack };
    assert.equal(traceAwsClient(sharing), sharing);
    assert.equal(client.middlewareStack.identify().filter((entry) => entry.includes('otelXray')).length, 3);
    client.destroy();
  });

  it('rejects what is not an AWS SDK v3 client with a TypeError', () => {
    for (const bad of [undefined, null, {}, { middlewareStack: {} }, 'client']) {
      assert.throws(() => traceAwsClient(bad), (error) => error instanceof TypeError && error.message.startsWith('otel-xray: traceAwsClient'));
    }
  });

  it('made no span and sent no trace header for the CreateTable call outside any trace', () => {
    const create = proxy.received.find((r) => r.target === 'DynamoDB_20120810.CreateTable');
    assert.ok(create);
    assert.equal(create.headers['x-amzn-trace-id'], undefined);
    assert.equal(create.headers.traceparent, undefined);
  });

  it('PutItem: one DynamoDB.PutItem CLIENT span under the request span, with the AWS attributes', async () => {
    memory.reset();
    proxy.received.length = 0;
    assert.equal((await call('PUT', '/items/a1', { name: 'first' })).status, 204);
    const { server, aws } = await twoSpans();

    assert.equal(aws.name, 'DynamoDB.PutItem');
    assert.equal(aws.kind, SpanKind.CLIENT);
    assert.equal(aws.spanContext().traceId, server.spanContext().traceId);
    assert.equal(parentIdOf(aws), server.spanContext().spanId);
    assert.equal(aws.attributes['rpc.system'], 'aws-api');
    assert.equal(aws.attributes['rpc.service'], 'DynamoDB');
    assert.equal(aws.attributes['rpc.method'], 'PutItem');
    assert.equal(aws.attributes['aws.region'], 'us-east-1');
    assert.deepEqual(aws.attributes['aws.dynamodb.table_names'], ['items']);
    assert.equal(aws.attributes['http.response.status_code'], 200);
    assert.match(String(aws.attributes['aws.request_id']), /^[0-9A-Z]{52}$/);
    assert.equal(aws.status.code, SpanStatusCode.UNSET);
    assert.equal(aws.attributes['http.request.resend_count'], undefined);
  });

  it('the request dynalite received carried the X-Ray header naming the AWS span, and its signature is valid', async () => {
    memory.reset();
    proxy.received.length = 0;
    assert.equal((await call('PUT', '/items/a2', { name: 'second' })).status, 204);
    const { aws } = await twoSpans();
    assert.equal(proxy.received.length, 1);
    const [request] = proxy.received;
    const xray = parseXRay(request.headers['x-amzn-trace-id']);
    assert.equal(xray.Root, xrayTraceId(aws.spanContext().traceId));
    assert.equal(xray.Parent, aws.spanContext().spanId);
    assert.equal(xray.Sampled, '1');
    assert.equal(request.headers.traceparent, `00-${aws.spanContext().traceId}-${aws.spanContext().spanId}-01`);
    assert.equal(request.signatureValid, true, 'SigV4 signature recomputed from the received request matches');
    // X-Amzn-Trace-Id is never signed by SigV4; traceparent went in before signing, so it is signed and intact.
    assert.ok(!request.signedHeaders.includes('x-amzn-trace-id'), request.signedHeaders.join(';'));
    assert.ok(request.signedHeaders.includes('traceparent'), request.signedHeaders.join(';'));
  });

  it('the proxy\'s signature check catches a signed header changed after signing (so the check above can fail)', async () => {
    const tampered = traceAwsClient(new DynamoDBClient({ endpoint: proxy.url, maxAttempts: 1 }));
    tampered.middlewareStack.add(
      (next) => (args) => {
        args.request.headers['amz-sdk-request'] = 'attempt=9; max=9';
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'tamperAfterSigning' },
    );
    proxy.received.length = 0;
    await tampered.send(new GetItemCommand({ TableName: 'items', Key: { id: { S: 'a1' } } }));
    tampered.destroy();
    assert.equal(proxy.received.length, 1);
    assert.ok(proxy.received[0].signedHeaders.includes('amz-sdk-request'));
    assert.equal(proxy.received[0].signatureValid, false);
  });

  it('GetItem reads back what PutItem wrote, traced as DynamoDB.GetItem', async () => {
    memory.reset();
    const answer = await call('GET', '/items/a1');
    assert.deepEqual(JSON.parse(answer.body), { name: 'first' });
    const { aws } = await twoSpans();
    assert.equal(aws.name, 'DynamoDB.GetItem');
    assert.equal(aws.attributes['rpc.method'], 'GetItem');
    assert.deepEqual(aws.attributes['aws.dynamodb.table_names'], ['items']);
  });

  it('a retried attempt shows as an event and http.request.resend_count; every attempt names the same span', async () => {
    memory.reset();
    proxy.received.length = 0;
    proxy.failNext(1);
    assert.equal((await call('PUT', '/items/r1', { name: 'retried' })).status, 204);
    const { aws } = await twoSpans();
    assert.equal(proxy.received.length, 2);
    assert.equal(aws.attributes['http.request.resend_count'], 1);
    assert.equal(aws.status.code, SpanStatusCode.UNSET);
    const failed = aws.events.filter((event) => event.name === 'aws.attempt.failed');
    assert.equal(failed.length, 1);
    assert.equal(failed[0].attributes['aws.attempt'], 1);
    assert.equal(failed[0].attributes['http.response.status_code'], 500);
    assert.equal(failed[0].attributes['error.type'], 'InternalServerError');
    for (const request of proxy.received) {
      assert.equal(parseXRay(request.headers['x-amzn-trace-id']).Parent, aws.spanContext().spanId);
      assert.equal(request.signatureValid, true);
    }
  });

  it('a service error is recorded on the span, and the app sees the same error class', async () => {
    memory.reset();
    const answer = await call('GET', '/missing-table');
    assert.equal(answer.status, 404);
    assert.deepEqual(JSON.parse(answer.body), { name: 'ResourceNotFoundException', isResourceNotFound: true });
    const { aws } = await twoSpans();
    assert.equal(aws.status.code, SpanStatusCode.ERROR);
    assert.equal(aws.attributes['error.type'], 'ResourceNotFoundException');
    assert.equal(aws.attributes['http.response.status_code'], 400);
    assert.deepEqual(aws.attributes['aws.dynamodb.table_names'], ['no-such-table']);
    assert.ok(aws.attributes['aws.request_id']);
    assert.equal(aws.events.filter((event) => event.name === 'exception').length, 1);
  });

  it('inside the app\'s own CLIENT span the AWS span is its child, still with no HTTP span', async () => {
    memory.reset();
    const tracer = trace.getTracer('test');
    const root = tracer.startSpan('job');
    await context.with(trace.setSpan(context.active(), root), async () => {
      const manual = tracer.startSpan('manual client', { kind: SpanKind.CLIENT });
      await context.with(trace.setSpan(context.active(), manual), () =>
        ddb.send(new GetItemCommand({ TableName: 'items', Key: { id: { S: 'a1' } } })),
      );
      manual.end();
    });
    root.end();
    const spans = await memory.spans(3);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(memory.exporter.getFinishedSpans().map((s) => s.name).sort(), ['DynamoDB.GetItem', 'job', 'manual client']);
    const manual = spans.find((s) => s.name === 'manual client');
    const aws = spans.find((s) => s.name === 'DynamoDB.GetItem');
    assert.equal(parentIdOf(aws), manual.spanContext().spanId);
  });
});
