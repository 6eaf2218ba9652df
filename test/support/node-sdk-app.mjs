// An app with its own OpenTelemetry NodeSDK, as many teams run one, plus the otel-xray middleware.
// APP_FRAMEWORK: express (default), fastify or koa. APP_SETUP picks how it is set up:
//   xray          new NodeSDK({ ...xrayNodeSdkConfig(options), serviceName })
//   plain         new NodeSDK({ serviceName }) (W3C only, random ids)
//   plain+start   the same, then startTracing() on top
//   stock         new NodeSDK({ idGenerator, textMapPropagator }) from the OTel X-Ray packages
// GET /orders/:id and /unsampled/:id call DOWNSTREAM_URL with fetch and answer with the headers it sent there.
import { AWSXRayIdGenerator } from '@opentelemetry/id-generator-aws-xray';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { startTracing, xrayNodeSdkConfig } from 'otel-xray';

const setup = process.env.APP_SETUP;
const rules = {
  version: 2,
  rules: [{ description: 'never', host: '*', http_method: '*', url_path: '/unsampled/*', fixed_target: 0, rate: 0 }],
  default: { fixed_target: 0, rate: 1 },
};
const configs = {
  xray: () => ({ ...xrayNodeSdkConfig({ sampler: { rules } }), serviceName: 'orders' }),
  stock: () => ({ idGenerator: new AWSXRayIdGenerator(), textMapPropagator: new AWSXRayPropagator(), serviceName: 'orders' }),
};
const sdk = new NodeSDK(configs[setup]?.() ?? { serviceName: 'orders' });
sdk.start();
if (setup === 'plain+start') startTracing();

/** What the downstream service received from this app. */
async function callDownstream() {
  const response = await fetch(process.env.DOWNSTREAM_URL);
  return response.json();
}

async function expressServer() {
  const { default: express } = await import('express');
  const { xrayTracing } = await import('otel-xray/express');
  const app = express();
  app.use(xrayTracing());
  const handler = async (req, res) => res.json(await callDownstream());
  app.get('/orders/:id', handler);
  app.get('/unsampled/:id', handler);
  return app.listen(0, '127.0.0.1');
}

async function fastifyServer() {
  const { default: Fastify } = await import('fastify');
  const { xrayTracing } = await import('otel-xray/fastify');
  const app = Fastify();
  await app.register(xrayTracing);
  app.get('/orders/:id', callDownstream);
  app.get('/unsampled/:id', callDownstream);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server;
}

async function koaServer() {
  const { default: Koa } = await import('koa');
  const { default: Router } = await import('@koa/router');
  const { xrayTracing } = await import('otel-xray/koa');
  const app = new Koa();
  const router = new Router();
  app.use(xrayTracing());
  const handler = async (ctx) => {
    ctx.body = await callDownstream();
  };
  router.get('/orders/:id', handler);
  router.get('/unsampled/:id', handler);
  app.use(router.routes());
  return app.listen(0, '127.0.0.1');
}

const servers = { express: expressServer, fastify: fastifyServer, koa: koaServer };
const server = await servers[process.env.APP_FRAMEWORK ?? 'express']();
if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
console.log(`listening on http://127.0.0.1:${server.address().port}`);
process.on('SIGTERM', () => {
  server.close();
  void sdk.shutdown().finally(() => process.exit(0));
});
