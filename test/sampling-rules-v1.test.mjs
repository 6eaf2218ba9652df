// Version 1 local rules documents, as teams moving from aws-xray-sdk have them: each rule's
// `service_name` is matched against the request's host, as version 2's `host` is.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, mock, test } from 'node:test';
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import express from 'express';
import { XRayLocalRulesSampler } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const RULES_V1 = {
  version: 1,
  rules: [
    { description: 'health checks', service_name: '*', http_method: '*', url_path: '/health*', fixed_target: 0, rate: 0 },
    { description: 'the orders API', service_name: 'api.*.com', http_method: 'POST', url_path: '/orders/*', fixed_target: 0, rate: 1 },
    { service_name: '127.0.0.1', http_method: 'GET', url_path: '/always', fixed_target: 0, rate: 1 },
  ],
  default: { fixed_target: 1, rate: 0 },
};

const dir = mkdtempSync(join(tmpdir(), 'otel-xray-rules-v1-'));
const rulesFile = join(dir, 'sampling-rules.json');
writeFileSync(rulesFile, JSON.stringify(RULES_V1));

let memory;
let server;
before(async () => {
  memory = startMemoryTracing({ sampler: { rules: rulesFile } });
  const app = express();
  app.use(xrayTracing());
  app.get(['/always', '/other'], (_req, res) => res.send('ok'));
  server = await listen(http.createServer(app));
});
after(async () => {
  await server.close();
  await memory.tracing.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** Local decisions for new root SERVER spans, on a frozen clock at a fresh second. */
function decisions(requests) {
  const tracer = trace.getTracer('rules-v1-test');
  mock.timers.enable({ apis: ['Date'], now: (Math.ceil(Date.now() / 1000) + 10) * 1000 });
  try {
    return requests.map(([method, path, host]) => {
      const span = tracer.startSpan('request', {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': method, 'url.path': path, 'server.address': host },
      });
      span.end();
      return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    });
  } finally {
    mock.timers.reset();
  }
}

test('a version 1 file is read; service_name matches the host', () => {
  assert.deepEqual(
    decisions([
      ['POST', '/orders/1', 'api.example.com'], // the orders API: rate 1
      ['POST', '/orders/2', 'API.EXAMPLE.COM'], // case ignored
      ['POST', '/health', 'api.example.com'], // health checks first: rate 0
      ['POST', '/orders/3', 'web.example.com'], // no rule: default, 1 per second
      ['POST', '/orders/4', 'web.example.com'], // default's second is used up, rate 0
    ]),
    [true, true, false, true, false],
  );
});

test('through a real request, the host of the request is what service_name matches', async () => {
  const headers = async (path) => (await fetch(`${server.url}${path}`)).headers.get('x-amzn-trace-id');
  for (let i = 0; i < 5; i += 1) assert.match(await headers('/always'), /;Sampled=1$/);
});

test('inline version 1 documents are accepted too', () => {
  const sampler = new XRayLocalRulesSampler(RULES_V1);
  assert.equal(sampler.toString(), 'XRayLocalRules{rules=3}');
});
