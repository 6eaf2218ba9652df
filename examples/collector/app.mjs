// An express service that sends its traces to the ADOT collector next to it (docker-compose.yml).
// Run it on the host with `node examples/collector/app.mjs` after `npm run build`.
import express from 'express';
import { annotate, setMetadata, startTracing } from 'otel-xray';
import { xrayErrorHandler, xrayTracing } from 'otel-xray/express';

// OTEL_EXPORTER_OTLP_ENDPOINT (set in docker-compose.yml) points at the collector; the default is http://localhost:4318.
startTracing({ serviceName: process.env.OTEL_SERVICE_NAME ?? 'collector-example' });

const app = express();
app.use(xrayTracing({ ignore: ['/health'] }));

app.get('/health', (req, res) => res.send('ok'));

app.get('/orders/:id', (req, res) => {
  annotate('customer_tier', 'gold'); // indexed: filter on it in the X-Ray console
  setMetadata('order', { id: req.params.id, items: 3 }); // shown on the segment, not indexed
  res.json({ id: req.params.id, status: 'shipped' });
});

app.get('/fail', () => {
  throw new Error('payment service unavailable');
});

app.use(xrayErrorHandler());

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '0.0.0.0', () => {
  const { port } = server.address();
  console.log(`listening on http://127.0.0.1:${port}`);
});

// otel-xray flushes the finished spans on SIGTERM; close the server so the process can exit.
process.once('SIGTERM', () => server.close());
