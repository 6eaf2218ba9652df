// `npm run demo`: two traced services (orders on express, inventory on fastify) and a local
// DynamoDB (dynalite), exporting OTLP/JSON to a receiver in this process; a few requests are
// sent and every resulting trace is printed as a tree. Nothing leaves 127.0.0.1.
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { renderTraces, spansOf } from './trace-tree.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const listen = async (server) => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${server.address().port}`;
};

// A minimal OTLP/HTTP receiver (JSON encoding), standing in for the ADOT collector.
const received = [];
const receiver = createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    received.push(...spansOf(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
const receiverUrl = await listen(receiver);

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
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiverUrl}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
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
console.log(`\n${received.length} spans received by the local OTLP receiver:\n`);
console.log(renderTraces(received));

receiver.close();
dynamodbServer.close();
