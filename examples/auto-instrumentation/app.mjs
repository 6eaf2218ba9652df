// An ordinary express app: nothing in it knows about tracing.
// Start it with:  node --import otel-xray/register examples/auto-instrumentation/app.mjs
import express from 'express';

const app = express();
app.use(express.json());

const orders = new Map([['1', { id: '1', item: 'coffee', quantity: 2 }]]);

app.get('/health', (_req, res) => {
  res.send('ok');
});

app.get('/orders/:id', async (req, res) => {
  const order = orders.get(req.params.id);
  if (order === undefined) return res.status(404).json({ error: 'no such order' });
  // An outbound call: it gets a CLIENT span and carries the trace headers.
  const stock = await fetch(`http://127.0.0.1:${server.address().port}/stock/${encodeURIComponent(order.item)}`).then((r) => r.json());
  res.json({ ...order, inStock: stock.available });
});

app.post('/orders', (req, res) => {
  const id = String(orders.size + 1);
  orders.set(id, { id, ...req.body });
  res.status(201).json(orders.get(id));
});

app.get('/stock/:item', (req, res) => {
  res.json({ item: req.params.item, available: 7 });
});

app.get('/fail', () => {
  throw new Error('something broke');
});

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
