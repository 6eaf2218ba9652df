// The "orders" service: express, traced with one line, calling the inventory service and DynamoDB.
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import express from 'express';
import { annotate, setMetadata } from 'otel-xray';
import { traceAwsClient } from 'otel-xray/aws-sdk';
import { xrayErrorHandler, xrayTracing } from 'otel-xray/express';

const inventoryUrl = process.env.INVENTORY_URL;
const dynamodb = traceAwsClient(new DynamoDBClient({ endpoint: process.env.DYNAMODB_ENDPOINT, region: 'us-east-1' }));

const app = express();
app.use(xrayTracing());

const orders = express.Router();
orders.get('/:id', async (req, res) => {
  annotate('order_id', req.params.id);
  const stock = await fetch(`${inventoryUrl}/stock/${req.params.id}`).then((r) => r.json());
  const item = await dynamodb.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: req.params.id } } }));
  setMetadata('stock', stock);
  res.json({ id: req.params.id, stock, customer: item.Item?.customer?.S });
});
app.use('/orders', orders);

app.get('/fail', () => {
  throw new Error('payment service unavailable');
});

app.use(xrayErrorHandler());
app.use((error, _req, res, _next) => res.status(500).json({ error: error.message }));

const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
