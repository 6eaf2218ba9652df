// One express app written against aws-xray-sdk, run unchanged but for its import: once on the
// real aws-xray-sdk (aws-xray-sdk-core + aws-xray-sdk-express) and once on
// otel-xray/aws-xray-sdk, each in its own process and each sending to a UDP socket standing in
// for the X-Ray daemon. The trees the daemon receives must match.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { startApp } from './support/child-apps.mjs';
import { startDaemon } from './support/daemon-socket.mjs';
import { startDynalite } from './support/dynalite.mjs';

const APP = 'test/fixtures/aws-xray-sdk-app/app.cjs';
const REAL_SDK = './aws-xray-sdk.cjs';
const THIS_MODULE = 'otel-xray/aws-xray-sdk';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local', AWS_REGION: 'us-east-1' };
const REQUESTS = [
  ['/orders/7', 200],
  ['/busy', 200],
  ['/fail', 500],
];

/** Every (sub)segment as its own entry with `parent_id`, whether it came nested in `subsegments` or on its own. */
function flatten(document, parent, into = []) {
  const { subsegments = [], ...entry } = document;
  // Nested subsegments carry neither their parent's id nor the trace id.
  if (parent !== undefined) {
    entry.parent_id ??= parent.id;
    entry.trace_id ??= parent.trace_id;
  }
  into.push(entry);
  for (const child of subsegments) flatten(child, entry, into);
  return into;
}

/**
 * Metadata as the app set it. otel-xray also puts a span's other OpenTelemetry attributes
 * (`http.route`, `network.protocol.version`, …: dotted semantic-convention names) in the
 * `default` namespace; those are dropped here, and so is a namespace left empty.
 */
function appMetadata(metadata = {}) {
  const result = {};
  for (const [namespace, entries] of Object.entries(metadata)) {
    const kept = Object.fromEntries(Object.entries(entries).filter(([key]) => namespace !== 'default' || !key.includes('.')));
    if (Object.keys(kept).length > 0) result[namespace] = kept;
  }
  return result;
}

/** The parts of a (sub)segment both SDKs must agree on, with its children in name order. */
function node(entry, entries) {
  const children = entries.filter((other) => other.parent_id === entry.id).map((child) => node(child, entries));
  children.sort((a, b) => a.name.localeCompare(b.name));
  const shape = {
    name: entry.name,
    namespace: entry.namespace,
    error: entry.error === true,
    fault: entry.fault === true,
    throttle: entry.throttle === true,
    user: entry.user,
    annotations: entry.annotations ?? {},
    metadata: appMetadata(entry.metadata),
    causes: (entry.cause?.exceptions ?? []).map(({ type, message, remote }) => ({ type, message, remote })),
    aws: entry.aws?.operation === undefined ? undefined : { operation: entry.aws.operation, table_name: entry.aws.table_name },
    // aws-xray-sdk leaves the port out of outbound URLs (http://127.0.0.1/stock/7): compare the path.
    http: entry.http?.request === undefined || entry.http.request.method === undefined
      ? undefined
      : { method: entry.http.request.method, path: new URL(entry.http.request.url).pathname, status: entry.http.response?.status },
    children,
  };
  return shape;
}

/** One tree per trace, keyed by the request path of its segment. */
function trees(documents) {
  const byTrace = new Map();
  for (const document of documents) {
    for (const entry of flatten(document)) {
      if (!byTrace.has(entry.trace_id)) byTrace.set(entry.trace_id, []);
      byTrace.get(entry.trace_id).push(entry);
    }
  }
  const result = {};
  for (const entries of byTrace.values()) {
    // The segment itself (no caller, so no parent); a trace whose segment has not arrived yet waits.
    const root = entries.find((entry) => entry.parent_id === undefined);
    if (root === undefined) continue;
    result[new URL(root.http.request.url).pathname] = node(root, entries);
  }
  return result;
}

const countEntries = (tree) => 1 + tree.children.reduce((sum, child) => sum + countEntries(child), 0);
/** (Sub)segments per request: segment, load-order, DynamoDB, stock call; segment; segment, call-partner. */
const EXPECTED_ENTRIES = { '/orders/7': 4, '/busy': 1, '/fail': 2 };

/** Waits (bounded) until every request's tree is complete. */
async function completeTrees(daemon) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = trees(daemon.documents);
    if (Object.entries(EXPECTED_ENTRIES).every(([path, count]) => found[path] !== undefined && countEntries(found[path]) === count)) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`the daemon did not receive every tree: ${JSON.stringify(trees(daemon.documents))}`);
}

describe('migration: the same aws-xray-sdk app on aws-xray-sdk and on otel-xray/aws-xray-sdk', { concurrency: 1 }, () => {
  let database;
  let stock;
  const received = {};

  /** Runs the app on `sdk`, sends the requests, and returns the trees the daemon got. */
  async function run(sdk) {
    const daemon = await startDaemon();
    const app = await startApp([APP], {
      ...CREDENTIALS,
      XRAY_SDK: sdk,
      AWS_XRAY_DAEMON_ADDRESS: daemon.address,
      DYNAMODB_ENDPOINT: database.url,
      STOCK_URL: `http://127.0.0.1:${stock.address().port}`,
      OTEL_BSP_SCHEDULE_DELAY: '50',
    });
    try {
      for (const [path, status] of REQUESTS) {
        const response = await fetch(`${app.url}${path}`);
        await response.arrayBuffer();
        assert.equal(response.status, status, `${sdk} ${path}`);
      }
      const found = await completeTrees(daemon);
      assert.deepEqual(daemon.malformed, []);
      return found;
    } finally {
      await app.stop();
      await daemon.close();
    }
  }

  before(async () => {
    database = await startDynalite();
    const client = new DynamoDBClient({ endpoint: database.url, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    await client.send(new CreateTableCommand({
      TableName: 'orders',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    await client.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: '7' }, name: { S: 'tea' } } }));
    client.destroy();
    stock = http.createServer((_req, res) => res.end('{"count":3}'));
    await new Promise((resolve) => stock.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    await new Promise((resolve) => stock.close(resolve));
    await database.close();
  });

  test('on aws-xray-sdk', async () => {
    received.real = await run(REAL_SDK);
  });

  test('on otel-xray/aws-xray-sdk', async () => {
    received.ours = await run(THIS_MODULE);
  });

  test('the daemon receives the same trees', () => {
    assert.ok(received.real && received.ours, 'both runs finished');
    assert.deepEqual(received.ours, received.real);
  });

  test('the trees hold what the app recorded', () => {
    const { '/orders/7': order, '/busy': busy, '/fail': fail } = received.ours;
    assert.equal(order.name, 'orders-api');
    assert.deepEqual(order.annotations, { order_id: '7', priority: 2 });
    assert.deepEqual(order.metadata, { default: { debug: true } });
    assert.equal(order.user, 'alice');
    const [remote, loadOrder] = order.children;
    assert.equal(loadOrder.name, 'load-order');
    assert.deepEqual(loadOrder.annotations, { cache_hit: false });
    assert.deepEqual(loadOrder.metadata, { orders: { item: { found: true } } });
    assert.deepEqual(loadOrder.children.map(({ name, namespace, aws }) => ({ name, namespace, aws })), [
      { name: 'DynamoDB', namespace: 'aws', aws: { operation: 'GetItem', table_name: 'orders' } },
    ]);
    assert.deepEqual({ name: remote.name, namespace: remote.namespace, http: remote.http }, { name: '127.0.0.1', namespace: 'remote', http: { method: 'GET', path: '/stock/7', status: 200 } });
    assert.deepEqual([busy.error, busy.throttle, busy.fault], [true, true, false]);
    assert.equal(fail.fault, true);
    assert.deepEqual(fail.causes, [{ type: 'TypeError', message: 'order store unavailable', remote: false }]);
    assert.deepEqual(fail.children[0].causes, [{ type: 'Error', message: 'partner refused', remote: true }]);
    assert.equal(fail.children[0].fault, true);
  });
});
