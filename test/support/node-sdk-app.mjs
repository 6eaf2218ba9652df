// An app with its own OpenTelemetry NodeSDK, as many teams run one, plus the otel-xray middleware.
// APP_SETUP picks how it is set up:
//   xray          new NodeSDK({ ...xrayNodeSdkConfig(options), serviceName })
//   plain         new NodeSDK({ serviceName }) (W3C only, random ids)
//   plain+start   the same, then startTracing() on top
// GET /orders/:id calls DOWNSTREAM_URL with fetch and answers with the headers it sent there.
import { NodeSDK } from '@opentelemetry/sdk-node';
import express from 'express';
import { startTracing, xrayNodeSdkConfig } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';

const setup = process.env.APP_SETUP;
const rules = {
  version: 2,
  rules: [{ description: 'never', host: '*', http_method: '*', url_path: '/unsampled/*', fixed_target: 0, rate: 0 }],
  default: { fixed_target: 0, rate: 1 },
};
const sdk = new NodeSDK(setup === 'xray' ? { ...xrayNodeSdkConfig({ sampler: { rules } }), serviceName: 'orders' } : { serviceName: 'orders' });
sdk.start();
if (setup === 'plain+start') startTracing();

const app = express();
app.use(xrayTracing());
async function callDownstream(req, res) {
  const response = await fetch(process.env.DOWNSTREAM_URL);
  res.json(await response.json());
}
app.get('/orders/:id', callDownstream);
app.get('/unsampled/:id', callDownstream);

const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => {
  server.close();
  void sdk.shutdown().finally(() => process.exit(0));
});
