// Smoke tests of the sample apps: each runs as a child process, as its README starts it, and
// exports its spans over OTLP/HTTP JSON to a receiver here.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import dynalite from 'dynalite';
import { KIND, exportTo, startApp, startOtlpReceiver } from './support/child-apps.mjs';

const ERROR = 2;
const byName = (spans, name) => spans.find((span) => span.name === name);
const children = (spans, parent) => spans.filter((span) => span.parentSpanId === parent.spanId);

/** Starts an example with its own receiver; returns { app, receiver, stop }. */
async function runExample(args, env = {}) {
  const receiver = await startOtlpReceiver();
  const app = await startApp(args, exportTo(receiver, env));
  return {
    app,
    receiver,
    async stop() {
      await app.stop();
      await receiver.close();
    },
  };
}

describe('examples', { concurrency: 3 }, () => {
  test('auto-instrumentation: an unmodified express app under --import otel-xray/register', async () => {
    const { app, receiver, stop } = await runExample(['--import', 'otel-xray/register', 'examples/auto-instrumentation/app.mjs']);
    try {
      assert.equal((await fetch(`${app.url}/orders/1`)).status, 200);
      const created = await fetch(`${app.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"tea"}' });
      assert.equal(created.status, 201);
      assert.equal((await fetch(`${app.url}/fail`)).status, 500);
      const spans = await receiver.waitFor((all) => ['GET /orders/:id', 'POST /orders', 'GET /fail', 'GET /stock/:item'].every((name) => byName(all, name)), 'the example spans');
      const read = byName(spans, 'GET /orders/:id');
      assert.equal(read.kind, KIND.SERVER);
      assert.equal(children(spans, read).filter((span) => span.kind === KIND.CLIENT).length, 1, 'the outbound fetch');
      assert.equal(byName(spans, 'POST /orders').attributes['http.response.status_code'], 201);
      const failed = byName(spans, 'GET /fail');
      assert.equal(failed.attributes['http.response.status_code'], 500);
      assert.equal(failed.status.code, ERROR);
    } finally {
      await stop();
    }
  });

  describe('manual-instrumentation: middleware, own spans, annotations, metadata, fetch and DynamoDB', { concurrency: 1 }, () => {
    let database;
    let example;
    before(async () => {
      database = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
      await new Promise((resolve) => database.listen(0, '127.0.0.1', resolve));
      example = await runExample(['examples/manual-instrumentation/app.mjs'], {
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${database.address().port}`,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
    });
    after(async () => {
      await example?.stop();
      await new Promise((resolve) => database.close(resolve));
    });

    test('an order is created and read back, and every step is a span of the request trace', async () => {
      const { app, receiver } = example;
      const res = await fetch(`${app.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"tea","quantity":2}' });
      assert.equal(res.status, 201);
      const order = await res.json();
      assert.deepEqual(await (await fetch(`${app.url}/orders/${order.id}`)).json(), { ...order });
      assert.equal((await fetch(`${app.url}/orders/nope`)).status, 404);

      const spans = await receiver.waitFor(
        (all) => byName(all, 'POST /orders') && all.filter((span) => span.name === 'GET /orders/:id').length === 2,
        'the order spans',
      );
      const post = byName(spans, 'POST /orders');
      assert.equal(post.resource['service.name'], 'orders');
      assert.equal(post.attributes.order_item, 'tea');
      assert.equal(post.attributes.order_quantity, 2);
      assert.deepEqual(post.attributes['aws.xray.annotations'], ['order_item', 'order_quantity']);
      assert.deepEqual(JSON.parse(post.attributes['aws.xray.metadata.default']), { order: { id: order.id, item: 'tea', quantity: 2 } });

      const own = children(spans, post);
      const validate = own.find((span) => span.name === 'validate-order');
      assert.equal(validate?.kind, KIND.INTERNAL);
      const fetchSpan = own.find((span) => span.kind === KIND.CLIENT && span.attributes['url.full']?.includes('/prices/tea'));
      assert.ok(fetchSpan, `no CLIENT span for the price fetch among ${own.map((s) => s.name)}`);
      const pricing = byName(spans, 'GET /prices/:item');
      assert.equal(pricing.parentSpanId, fetchSpan.spanId);
      const put = own.find((span) => span.attributes['rpc.method'] === 'PutItem');
      assert.ok(put, `no DynamoDB PutItem span among ${own.map((s) => s.name)}`);
      assert.equal(put.attributes['rpc.system'], 'aws-api');
      assert.equal(put.attributes['rpc.service'], 'DynamoDB');

      const reads = spans.filter((span) => span.name === 'GET /orders/:id');
      for (const read of reads) assert.ok(children(spans, read).some((span) => span.attributes['rpc.method'] === 'GetItem'));
      assert.deepEqual(reads.map((span) => span.attributes['http.response.status_code']).sort(), [200, 404]);
    });

    test('a bad order is a 400 on a span that is not an error; its validate-order span is', async () => {
      const { app, receiver } = example;
      const res = await fetch(`${app.url}/orders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"item":"tea"}' });
      assert.equal(res.status, 400);
      const spans = await receiver.waitFor((all) => all.some((span) => span.name === 'POST /orders' && span.attributes['http.response.status_code'] === 400), 'the 400');
      const post = spans.find((span) => span.name === 'POST /orders' && span.attributes['http.response.status_code'] === 400);
      assert.notEqual(post.status.code, ERROR);
      assert.equal(children(spans, post).find((span) => span.name === 'validate-order').status.code, ERROR);
    });
  });

  for (const framework of ['fastify', 'koa']) {
    test(`${framework}: route-named server spans, annotations, errors, ignored health checks`, async () => {
      const { app, receiver, stop } = await runExample([`examples/${framework}/app.mjs`]);
      try {
        assert.equal((await fetch(`${app.url}/health`)).status, 200);
        const user = await fetch(`${app.url}/users/42`);
        assert.equal(user.status, 200);
        assert.match(user.headers.get('x-amzn-trace-id'), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=1$/);
        assert.equal((await fetch(`${app.url}/boom`)).status, 500);
        const spans = await receiver.waitFor((all) => byName(all, 'GET /users/:id') && byName(all, 'GET /boom'), 'the example spans');
        const read = byName(spans, 'GET /users/:id');
        assert.equal(read.attributes['http.route'], '/users/:id');
        assert.equal(read.attributes.user_id, '42');
        const boom = byName(spans, 'GET /boom');
        assert.equal(boom.status.code, ERROR);
        assert.ok(boom.events.some((event) => event.name === 'exception'), 'the exception is recorded');
        await app.stop();
        assert.equal(spans.filter((span) => span.attributes['url.path'] === '/health').length, 0);
      } finally {
        await stop();
      }
    });
  }
});
