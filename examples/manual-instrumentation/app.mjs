// An express app traced with the middleware, plus its own spans, X-Ray annotations and
// metadata, an outbound fetch and DynamoDB calls.
//   DYNAMODB_ENDPOINT=http://127.0.0.1:4567 node examples/manual-instrumentation/app.mjs
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import express from 'express';
import { annotate, setMetadata, startTracing } from 'otel-xray';
import { traceAwsClient } from 'otel-xray/aws-sdk';
import { xrayErrorHandler, xrayTracing } from 'otel-xray/express';

// 1. Start tracing before anything else. Every option is optional; env vars fill the rest.
startTracing({ serviceName: 'orders' });
const tracer = trace.getTracer('orders-app');

// 2. AWS SDK v3 clients: traceAwsClient returns the same client, now traced.
const TABLE = process.env.ORDERS_TABLE ?? 'orders';
const dynamodb = traceAwsClient(
  new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: process.env.AWS_REGION ?? 'us-east-1' }),
);

const app = express();
// 3. The middleware, before the routes: one server span per request, active in every handler.
app.use(xrayTracing({ ignore: ['/health'] }));
app.use(express.json());

app.get('/health', (_req, res) => res.send('ok'));

app.post('/orders', async (req, res, next) => {
  try {
    // 4. A span of your own around a piece of work, active inside the callback.
    const order = await tracer.startActiveSpan('validate-order', async (span) => {
      try {
        const { item, quantity } = req.body ?? {};
        if (typeof item !== 'string' || !Number.isInteger(quantity) || quantity < 1) {
          const error = Object.assign(new Error('an order needs an item and a whole quantity'), { status: 400 });
          span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          throw error;
        }
        return { id: randomUUID(), item, quantity };
      } finally {
        span.end();
      }
    });
    // 5. Annotations are indexed (filter traces by them); metadata holds any JSON value.
    annotate('order_item', order.item);
    annotate('order_quantity', order.quantity);
    setMetadata('order', order);

    // 6. Outbound calls get a CLIENT span and carry the trace headers.
    const price = await fetch(`http://127.0.0.1:${server.address().port}/prices/${encodeURIComponent(order.item)}`).then((r) => r.json());

    await dynamodb.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { id: { S: order.id }, item: { S: order.item }, quantity: { N: String(order.quantity) }, price: { N: String(price.amount) } },
      }),
    );
    res.status(201).json({ ...order, price: price.amount });
  } catch (error) {
    next(error);
  }
});

app.get('/orders/:id', async (req, res, next) => {
  try {
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: req.params.id } } }));
    if (Item === undefined) return res.status(404).json({ error: 'no such order' });
    res.json({ id: Item.id.S, item: Item.item.S, quantity: Number(Item.quantity.N), price: Number(Item.price.N) });
  } catch (error) {
    next(error);
  }
});

// A stand-in for a pricing service, so the outbound call has somewhere to go.
app.get('/prices/:item', (req, res) => res.json({ item: req.params.item, amount: 4.5 }));

// 7. After the routes: records a handler's error on the request's span, then passes it on.
app.use(xrayErrorHandler());
app.use((error, _req, res, _next) => res.status(error.status ?? 500).json({ error: error.message }));

async function createTable() {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: TABLE,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}

await createTable();
const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
