// `npm run demo`: two traced services (orders on express, inventory on fastify) and a local
// DynamoDB (dynalite), exporting OTLP to the local viewer (`otel-xray dev`) in this process;
// a few requests are sent and every resulting trace is printed as a tree, with the address of
// the viewer's page. Nothing leaves 127.0.0.1. `npm run demo -- --serve` keeps the page open
// (on port 2999, or `--port <n>`) until Ctrl-C.
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { renderTree, startViewer } from 'otel-xray/dev';

const { values: flags } = parseArgs({ options: { serve: { type: 'boolean' }, port: { type: 'string' } } });

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const listen = async (server) => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${server.address().port}`;
};

// The local viewer stands in for the ADOT collector: it receives OTLP, prints each trace as a
// tree and serves the page. Trees are printed at the end, once every service has flushed.
const trees = [];
const viewer = await startViewer({
  port: flags.serve ? Number(flags.port ?? 2999) : 0,
  otlpPort: 0,
  udpPort: 0,
  settleMs: 60_000,
  onTrace: (traceId, spans) => trees.push({ start: Math.min(...spans.map((span) => span.startMs)), text: renderTree(traceId, spans) }),
});

// A real DynamoDB API on 127.0.0.1, with one table and one item.
const dynamodbServer = dynalite({ createTableMs: 0 });
const dynamodbUrl = await listen(dynamodbServer);
const credentials = {
  AWS_ACCESS_KEY_ID: 'demo',
  AWS_SECRET_ACCESS_KEY: 'demo',
  AWS_REGION: 'us-east-1',
  // The SDK's notice about Node 20 support is noise in a demo.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
Object.assign(process.env, credentials);
const setup = new DynamoDBClient({ endpoint: dynamodbUrl, region: 'us-east-1' });
await setup.send(new CreateTableCommand({
  TableName: 'orders',
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
  BillingMode: 'PAY_PER_REQUEST',
}));
await setup.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: '42' }, customer: { S: 'ana' } } }));

async function startService(file, name, env) {
  const child = fork(here(file), {
    env: {
      ...process.env,
      ...env,
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: viewer.otlpUrl,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    },
  });
  const [{ port }] = await once(child, 'message');
  return { child, url: `http://127.0.0.1:${port}` };
}

const inventory = await startService('inventory.mjs', 'inventory', {});
const orders = await startService('orders.mjs', 'orders', { INVENTORY_URL: inventory.url, DYNAMODB_ENDPOINT: dynamodbUrl });

const requests = [
  ['GET /orders/42 (nested route, calls inventory and DynamoDB)', '/orders/42', {}],
  ['GET /orders/42 from a caller that sent X-Amzn-Trace-Id', '/orders/42', { 'X-Amzn-Trace-Id': 'Root=1-6745d1c0-3f1e2d3c4b5a69788796a5b4;Parent=53995c3f42cd8ad8;Sampled=1' }],
  ['GET /missing (404)', '/missing', {}],
  ['GET /fail (handler throws)', '/fail', {}],
];
for (const [label, path, headers] of requests) {
  const res = await fetch(orders.url + path, { headers });
  await res.arrayBuffer();
  console.log(`${label}\n  → ${res.status}, X-Amzn-Trace-Id: ${res.headers.get('x-amzn-trace-id')}`);
}

// SIGTERM makes each service flush its spans before it exits.
for (const { child } of [orders, inventory]) {
  child.kill('SIGTERM');
  await once(child, 'exit');
}
viewer.settle();
console.log(`\n${viewer.store.stats().spans} spans received by the local viewer:\n`);
console.log(trees.sort((a, b) => a.start - b.start).map((tree) => tree.text).join('\n'));
dynamodbServer.close();

if (flags.serve) {
  console.log(`Page: ${viewer.pageUrl} (OTLP: ${viewer.otlpUrl}, X-Ray UDP: ${viewer.udpAddress}); Ctrl-C to stop`);
  process.once('SIGINT', () => viewer.close().then(() => process.exit(0)));
  process.once('SIGTERM', () => viewer.close().then(() => process.exit(0)));
} else {
  console.log(`Page: ${viewer.pageUrl} (closed now; \`npm run demo -- --serve\` keeps it open)`);
  await viewer.close();
}
