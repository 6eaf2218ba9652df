// X-Ray local sampling rules: matching, reservoir + rate on a simulated clock, start-up errors,
// and parent-based decisions through real requests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, mock, test } from 'node:test';
import { SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const RULES = {
  version: 2,
  rules: [
    { description: 'health checks', host: '*', http_method: '*', url_path: '/health*', fixed_target: 0, rate: 0 },
    { description: 'orders API writes', host: 'api.example.com', http_method: 'POST', url_path: '/orders/*', fixed_target: 2, rate: 0 },
    { description: 'one-digit order reads', host: '*.example.com', http_method: 'GET', url_path: '/orders/?', fixed_target: 0, rate: 1 },
    { description: 'other order calls', host: '*', http_method: '*', url_path: '/orders/*', fixed_target: 0, rate: 0 },
    { description: 'half of the puts', host: '*', http_method: 'PUT', url_path: '/half/*', fixed_target: 0, rate: 0.5 },
    { description: 'local reads', host: '127.0.0.1', http_method: 'GET', url_path: '/always', fixed_target: 0, rate: 1 },
  ],
  default: { fixed_target: 1, rate: 0 },
};

const dir = mkdtempSync(join(tmpdir(), 'otel-xray-rules-'));
const rulesFile = join(dir, 'sampling-rules.json');
writeFileSync(rulesFile, JSON.stringify(RULES));

let tracing;
let tracer;
before(() => {
  // The rules come from a file, as the X-Ray SDKs read them.
  tracing = startMemoryTracing({ sampler: { rules: rulesFile } });
  tracer = trace.getTracer('sampling-test');
});
after(async () => {
  await tracing.tracing.shutdown();
  rmSync(dir, { recursive: true, force: true });
});

/** The local decision for a new root SERVER span of this request. */
function sampled(method, path, host) {
  const attributes = { 'http.request.method': method, 'url.path': path };
  if (host !== undefined) attributes['server.address'] = host;
  const span = tracer.startSpan('request', { kind: SpanKind.SERVER, attributes });
  span.end();
  return (span.spanContext().traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

let simulatedSeconds = 0;
/** Runs `body` on a frozen simulated clock at the start of a fresh second; `tick(ms)` moves it. */
function onSimulatedClock(body) {
  simulatedSeconds += 100;
  mock.timers.enable({ apis: ['Date'], now: 1_800_000_000_000 + simulatedSeconds * 1000 });
  try {
    body((ms) => mock.timers.tick(ms));
  } finally {
    mock.timers.reset();
  }
}

describe('rule matching', () => {
  test('the first matching rule in document order decides', () => {
    onSimulatedClock(() => {
      // /orders/5 on a *.example.com host matches rule 3 (rate 1) before rule 4 (rate 0).
      assert.equal(sampled('GET', '/orders/5', 'shop.example.com'), true);
      assert.equal(sampled('GET', '/orders/5', 'shop.example.com'), true);
      // /orders/55 is not /orders/? : rule 4 (rate 0).
      assert.equal(sampled('GET', '/orders/55', 'shop.example.com'), false);
      // Same path, host outside *.example.com: rule 4.
      assert.equal(sampled('GET', '/orders/5', 'localhost'), false);
    });
  });

  test('wildcards: * spans any characters, ? exactly one, matching ignores case', () => {
    onSimulatedClock(() => {
      assert.equal(sampled('GET', '/health', 'a'), false);
      assert.equal(sampled('GET', '/healthz/deep', 'a'), false);
      assert.equal(sampled('get', '/ORDERS/7', 'Shop.Example.COM'), true);
      assert.equal(sampled('GET', '/orders/', 'shop.example.com'), false, '? needs one character');
    });
  });

  test('method and host must match: a GET is not the POST rule, another host is not its host', () => {
    onSimulatedClock(() => {
      // POST /orders/* on api.example.com: rule 2 (reservoir 2/s, rate 0).
      assert.equal(sampled('POST', '/orders/1', 'api.example.com'), true);
      // POST on another host falls through to rule 4 (rate 0).
      assert.equal(sampled('POST', '/orders/1', 'other.example.com'), false);
      // No host at all: only rules with host "*" can match.
      assert.equal(sampled('POST', '/orders/1', undefined), false);
    });
  });

  test('a request no rule matches gets the default rule', () => {
    onSimulatedClock((tick) => {
      assert.equal(sampled('GET', '/somewhere', 'x'), true, 'default reservoir: 1 per second');
      assert.equal(sampled('GET', '/somewhere', 'x'), false, 'then default rate 0');
      tick(1000);
      assert.equal(sampled('DELETE', '/elsewhere', 'y'), true);
    });
  });
});

describe('reservoir and rate on a simulated clock', () => {
  test('fixed_target requests per second, then rate; the reservoir refills each second', () => {
    onSimulatedClock((tick) => {
      const second = () => Array.from({ length: 5 }, () => sampled('POST', '/orders/9', 'api.example.com'));
      assert.deepEqual(second(), [true, true, false, false, false]);
      tick(999);
      assert.deepEqual(second(), [false, false, false, false, false], 'same second: reservoir used up');
      tick(1);
      assert.deepEqual(second(), [true, true, false, false, false], 'next second: two more');
      tick(5000);
      assert.deepEqual(second(), [true, true, false, false, false]);
    });
  });

  test('each rule has its own reservoir', () => {
    onSimulatedClock(() => {
      assert.equal(sampled('POST', '/orders/1', 'api.example.com'), true);
      assert.equal(sampled('GET', '/nothing', 'x'), true, "the default rule's reservoir is separate");
      assert.equal(sampled('POST', '/orders/1', 'api.example.com'), true);
      assert.equal(sampled('POST', '/orders/1', 'api.example.com'), false);
    });
  });

  test('rate samples that share of the requests beyond the reservoir', () => {
    onSimulatedClock(() => {
      const count = Array.from({ length: 1000 }, () => sampled('PUT', '/half/x', 'h')).filter(Boolean).length;
      // rate 0.5 of 1000 random trace ids: 500 ± 16 (one standard deviation); 7 deviations either side.
      assert.ok(count > 390 && count < 610, `sampled ${count} of 1000`);
    });
  });
});

describe('parent-based decisions through real requests', () => {
  let server;
  before(async () => {
    const app = express();
    app.use(xrayTracing());
    app.get(['/health', '/always'], (_req, res) => res.send('ok'));
    server = await listen(http.createServer(app));
  });
  after(() => server.close());

  const sampledHeader = async (path, headers = {}) => {
    const res = await fetch(`${server.url}${path}`, { headers });
    await res.text();
    return /Sampled=(\d)/.exec(res.headers.get('x-amzn-trace-id'))?.[1];
  };

  test('without a caller decision the rules decide, from the real method, path and host', async () => {
    assert.equal(await sampledHeader('/health'), '0');
    assert.equal(await sampledHeader('/always'), '1');
  });

  test("the caller's X-Ray Sampled=1/0 decides over the rules", async () => {
    const root = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8';
    assert.equal(await sampledHeader('/health', { 'x-amzn-trace-id': `${root};Sampled=1` }), '1');
    assert.equal(await sampledHeader('/always', { 'x-amzn-trace-id': `${root};Sampled=0` }), '0');
  });

  test("the caller's W3C sampled flag decides over the rules", async () => {
    assert.equal(await sampledHeader('/health', { traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-01' }), '1');
    assert.equal(await sampledHeader('/always', { traceparent: '00-5759e988bd862e3fe1be46a994272793-53995c3f42cd8ad8-00' }), '0');
  });

  test('Sampled=? asks the rules and the response reports their decision', async () => {
    const deferred = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=?';
    assert.equal(await sampledHeader('/health', { 'x-amzn-trace-id': deferred }), '0');
    assert.equal(await sampledHeader('/always', { 'x-amzn-trace-id': deferred }), '1');
  });
});
