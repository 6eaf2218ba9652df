// Sampling-rule wildcards against request data an attacker controls (path, Host): a request that
// a backtracking matcher takes seconds on is decided at once, and a concurrent request is not
// held up. The only timing asserted is a generous bound, far below the seconds a RegExp takes.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const RULES = {
  version: 2,
  rules: [
    { description: 'hosts shaped to backtrack', host: '*a*a*a*a*a*a*b', http_method: '*', url_path: '*', fixed_target: 0, rate: 1 },
    { description: 'exports', host: '*', http_method: 'POST', url_path: '/v1/*/*/*/export', fixed_target: 0, rate: 1 },
  ],
  default: { fixed_target: 0, rate: 0 },
};
/** Many times what deciding costs (well under a millisecond), far below the seconds the defect took. */
const GENEROUS_MS = 1500;

let memory;
let server;
before(async () => {
  memory = startMemoryTracing({ sampler: { rules: RULES } });
  const app = express();
  app.use(xrayTracing());
  app.get('/health', (_req, res) => res.send('ok'));
  app.use((_req, res) => res.send('done'));
  server = await listen(http.createServer(app));
});
after(async () => {
  await server.close();
  await memory.tracing.shutdown();
});

/** Sends a request as given (no URL normalisation); resolves with status, trace header and time taken. */
function send(method, path, headers = {}) {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: server.port, method, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, traceHeader: res.headers['x-amzn-trace-id'], ms: performance.now() - started }));
    });
    req.on('error', reject);
    req.end();
  });
}

for (const slashes of [2000, 3000]) {
  test(`POST /v1/ with ${slashes} slashes is decided at once and GET /health is not held up`, async () => {
    const [attack, health] = await Promise.all([send('POST', `/v1/${'/'.repeat(slashes)}`), send('GET', '/health')]);
    assert.equal(attack.status, 200);
    assert.match(attack.traceHeader, /;Sampled=0$/, 'no rule matches: the default (rate 0) decides');
    assert.equal(health.status, 200);
    assert.ok(Math.max(attack.ms, health.ms) < GENEROUS_MS, `answered in ${Math.round(attack.ms)} and ${Math.round(health.ms)} ms`);
  });
}

test('a 61-character Host against *a*a*a*a*a*a*b is decided at once', async () => {
  const host = 'a'.repeat(61);
  const [attack, health] = await Promise.all([send('GET', '/', { host }), send('GET', '/health')]);
  assert.match(attack.traceHeader, /;Sampled=0$/);
  assert.equal(health.status, 200);
  assert.ok(Math.max(attack.ms, health.ms) < GENEROUS_MS, `answered in ${Math.round(attack.ms)} and ${Math.round(health.ms)} ms`);
  const matching = await send('GET', '/', { host: `${host}b` });
  assert.match(matching.traceHeader, /;Sampled=1$/, 'the host rule (rate 1) still matches what it should');
});

test('the export rule still matches its paths', async () => {
  assert.match((await send('POST', '/v1/a/b/c/export')).traceHeader, /;Sampled=1$/);
  assert.match((await send('POST', '/V1/A/B/C/EXPORT')).traceHeader, /;Sampled=1$/, 'case is ignored');
  assert.match((await send('POST', '/v1/a/b/export')).traceHeader, /;Sampled=0$/);
});
