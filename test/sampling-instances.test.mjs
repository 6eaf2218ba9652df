// The X-Ray samplers as instances (sampler: new XRayRemoteSampler({ endpoint })): configured in
// code, made parent-based like 'xray' and { rules }.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import express from 'express';
import { XRayLocalRulesSampler, XRayRemoteSampler } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing } from './support/tracing.mjs';
import { samplingRule, startSamplingProxy } from './support/xray-sampling-proxy.mjs';

const proxy = await startSamplingProxy({
  rules: () => [
    samplingRule({ RuleName: 'Never', Priority: 1, URLPath: '/never', FixedRate: 0, ReservoirSize: 0 }),
    samplingRule({ RuleName: 'Default', Priority: 10000, FixedRate: 1, ReservoirSize: 0 }),
  ],
});

let tracing;
let server;
before(async () => {
  tracing = startMemoryTracing({ sampler: new XRayRemoteSampler({ endpoint: proxy.url }) });
  const app = express();
  app.use(xrayTracing());
  app.get(['/never', '/other'], (_req, res) => res.send('ok'));
  server = await listen(http.createServer(app));
});
after(async () => {
  await server.close();
  await tracing.tracing.shutdown();
  await proxy.close();
});

const sampledHeader = async (path, headers = {}) => {
  const res = await fetch(`${server.url}${path}`, { headers });
  await res.text();
  return /Sampled=(\d)/.exec(res.headers.get('x-amzn-trace-id'))?.[1];
};

test('new XRayRemoteSampler({ endpoint }) polls that endpoint; its rules decide, and a caller decision wins', async () => {
  await proxy.waitFor(() => proxy.calls.targets.length >= 1, 'rules loaded and first SamplingTargets call');
  assert.equal(await sampledHeader('/never'), '0');
  assert.equal(await sampledHeader('/other'), '1');
  const caller = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8';
  assert.equal(await sampledHeader('/never', { 'x-amzn-trace-id': `${caller};Sampled=1` }), '1', 'parent-based');
  assert.equal(await sampledHeader('/never', { 'x-amzn-trace-id': `${caller};Sampled=?` }), '0', 'deferred: the rules decide');
});

test('new XRayLocalRulesSampler(document) checks the document when it is made', () => {
  assert.throws(() => new XRayLocalRulesSampler({ version: 2, rules: [{ host: '*' }], default: { fixed_target: 1, rate: 0.1 } }), {
    name: 'TypeError',
    message: /^otel-xray: sampler\.rules: rules\[0\]\.http_method must be a non-empty string/,
  });
});

test('new XRayRemoteSampler checks its options when it is made', () => {
  assert.throws(() => new XRayRemoteSampler({ endpoint: 'localhost:2000' }), {
    name: 'TypeError',
    message: /^otel-xray: XRayRemoteSampler endpoint must be an http\(s\) URL such as http:\/\/localhost:2000 \(got "localhost:2000"\)/,
  });
  assert.throws(() => new XRayRemoteSampler({ endpoint: proxy.url, pollingInterval: 0.5 }), {
    name: 'TypeError',
    message: /^otel-xray: XRayRemoteSampler pollingInterval must be a number of seconds, 1 or more \(got 0\.5\)/,
  });
});
