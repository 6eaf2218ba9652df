// A fastify app traced with the otel-xray plugin.
//   node examples/fastify/app.mjs
import Fastify from 'fastify';
import { annotate } from 'otel-xray';
import { xrayTracing } from 'otel-xray/fastify';

const app = Fastify();
// One line: a server span per request, named after the route, active in every handler.
await app.register(xrayTracing, { ignore: ['/health'] });

app.get('/health', async () => 'ok');

app.get('/users/:id', async (request) => {
  annotate('user_id', request.params.id);
  return { id: request.params.id, name: 'Ana' };
});

app.get('/boom', async () => {
  throw new Error('the database is on fire');
});

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${address}`);
