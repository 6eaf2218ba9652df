// The "inventory" service: fastify, traced with one plugin registration.
import Fastify from 'fastify';
import { xrayTracing } from 'otel-xray/fastify';

const app = Fastify();
await app.register(xrayTracing);
app.get('/stock/:sku', async (request) => ({ sku: request.params.sku, available: 7 }));

await app.listen({ port: 0, host: '127.0.0.1' });
process.send?.({ port: app.server.address().port });
