// One benchmark server: a framework with GET /users/:id returning small JSON, traced (or not)
// the way one variant says. Run by bench/run.mjs with an IPC channel:
//   node bench/server.mjs <framework> <variant> <otlp-url> <udp-port>
// variants: bare, als (one AsyncLocalStorage scope per request), xray (otel-xray sampled),
// xray-unsampled (always_off), xray-idle (tracing started, no middleware), otel (OpenTelemetry's
// own instrumentation), xray-sdk (aws-xray-sdk-express, express only).
// It answers IPC messages: {cmd:'stats'} → cpu time and handled requests; {cmd:'flush'} →
// after every finished span has been handed to its exporter.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const [framework, variant, otlpUrl, udpPort] = process.argv.slice(2);

let handled = 0;
let flush = async () => {};
const user = (id) => ({ id, name: 'Ada Lovelace', email: 'ada@example.com', active: true });

/** OTel's own setup, as its docs describe: provider, X-Ray ids and propagator, instrumentations before the framework. */
async function startOtelInstrumentation() {
  const { NodeTracerProvider } = await import('@opentelemetry/sdk-trace-node');
  const { BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  const { AWSXRayIdGenerator } = await import('@opentelemetry/id-generator-aws-xray');
  const { AWSXRayPropagator } = await import('@opentelemetry/propagator-aws-xray');
  const { registerInstrumentations } = await import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
  const provider = new NodeTracerProvider({
    idGenerator: new AWSXRayIdGenerator(),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpUrl }), batchConfig())],
  });
  provider.register({ propagator: new AWSXRayPropagator() });
  const instrumentations = [new HttpInstrumentation()];
  if (framework === 'express') {
    const { ExpressInstrumentation } = await import('@opentelemetry/instrumentation-express');
    instrumentations.push(new ExpressInstrumentation());
  } else if (framework === 'koa') {
    const { KoaInstrumentation } = await import('@opentelemetry/instrumentation-koa');
    instrumentations.push(new KoaInstrumentation());
  } else {
    const { default: FastifyOtelInstrumentation } = await import('@fastify/otel');
    instrumentations.push(new FastifyOtelInstrumentation({ registerOnInitialization: true }));
  }
  registerInstrumentations({ instrumentations });
  flush = () => provider.forceFlush();
}

/** The same batch settings for every OTel-based variant (OTEL_BSP_* as set by the runner). */
function batchConfig() {
  const env = (name) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
  return {
    maxQueueSize: env('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: env('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
    scheduledDelayMillis: env('OTEL_BSP_SCHEDULE_DELAY'),
  };
}

async function startOtelXRay(sampler) {
  const { startTracing } = await import('otel-xray');
  const tracing = startTracing({ serviceName: 'bench', endpoint: otlpUrl, sampler, flushOnSigterm: false });
  flush = () => tracing.forceFlush();
}

/** aws-xray-sdk as its docs describe, sending every request (rule rate 1) to a local UDP socket. */
function startXRaySdk() {
  const AWSXRay = require('aws-xray-sdk-core');
  AWSXRay.setDaemonAddress(`127.0.0.1:${udpPort}`);
  AWSXRay.setLogger({ error() {}, warn() {}, info() {}, debug() {} });
  AWSXRay.middleware.disableCentralizedSampling();
  AWSXRay.middleware.setSamplingRules({ version: 2, rules: [], default: { fixed_target: 1, rate: 1 } });
  return require('aws-xray-sdk-express');
}

async function createApp() {
  let xraySdk;
  if (variant === 'otel') await startOtelInstrumentation();
  else if (variant === 'xray') await startOtelXRay('parentbased_always_on');
  else if (variant === 'xray-unsampled') await startOtelXRay('always_off');
  else if (variant === 'xray-idle') await startOtelXRay('always_off');
  else if (variant === 'xray-sdk') xraySdk = startXRaySdk();
  const traced = variant === 'xray' || variant === 'xray-unsampled';
  // The floor under any context-carrying tracer: one AsyncLocalStorage scope per request, nothing else.
  const storage = variant === 'als' ? new AsyncLocalStorage() : undefined;
  const scope = { request: true };

  if (framework === 'express') {
    const express = require('express');
    const app = express();
    if (traced) app.use((await import('otel-xray/express')).xrayTracing());
    if (storage) app.use((req, res, next) => storage.run(scope, next));
    if (xraySdk) app.use(xraySdk.openSegment('bench'));
    app.get('/users/:id', (req, res) => {
      handled++;
      res.json(user(req.params.id));
    });
    if (xraySdk) app.use(xraySdk.closeSegment());
    return (port) => new Promise((resolve) => { const server = app.listen(port, '127.0.0.1', () => resolve(server)); });
  }
  if (framework === 'fastify') {
    const Fastify = require('fastify');
    const app = Fastify();
    if (traced) await app.register((await import('otel-xray/fastify')).xrayTracing);
    if (storage) app.addHook('onRequest', (request, reply, done) => storage.run(scope, done));
    app.get('/users/:id', async (request) => {
      handled++;
      return user(request.params.id);
    });
    return async (port) => {
      await app.listen({ port, host: '127.0.0.1' });
      return app.server;
    };
  }
  if (framework === 'koa') {
    const Koa = require('koa');
    const Router = require('@koa/router');
    const app = new Koa();
    if (traced) app.use((await import('otel-xray/koa')).xrayTracing());
    if (storage) app.use((ctx, next) => storage.run(scope, next));
    const router = new Router();
    router.get('/users/:id', (ctx) => {
      handled++;
      ctx.body = user(ctx.params.id);
    });
    app.use(router.routes());
    return (port) => new Promise((resolve) => { const server = app.listen(port, '127.0.0.1', () => resolve(server)); });
  }
  throw new Error(`unknown framework ${framework}`);
}

const listen = await createApp();
const server = await listen(0);
server.keepAliveTimeout = 60_000;

process.on('message', async (message) => {
  if (message.cmd === 'stats') {
    process.send({ id: message.id, cpu: process.cpuUsage(), handled, heap: process.memoryUsage().heapUsed });
  } else if (message.cmd === 'flush') {
    await flush();
    process.send({ id: message.id });
  } else if (message.cmd === 'exit') {
    server.close();
    await flush();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true, port: server.address().port });
