// A server span's HTTP attributes are built for the sampler only when it reads them (OTel's
// fixed and ratio samplers do not; X-Ray's parent-based sampler does not when the caller
// decided), and always for a span that records: skipping them changes nothing anyone sees.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { AlwaysOffSampler } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { xrayTracing } from 'otel-xray/express';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const HTTP_ATTRIBUTES = ['http.request.method', 'url.path', 'url.scheme', 'server.address', 'server.port', 'client.address', 'network.peer.address', 'user_agent.original'];

async function serve() {
  const app = express();
  app.use(xrayTracing());
  app.get('/items/:id', (_req, res) => res.send('ok'));
  return listen(http.createServer(app));
}

async function get(server, path, headers = {}) {
  const res = await fetch(`${server.url}${path}`, { headers: { 'user-agent': 'attributes-test', ...headers } });
  await res.text();
  return res.headers.get('x-amzn-trace-id');
}

describe("an app's sampler built on OTel's AlwaysOffSampler", () => {
  /** Reads the attributes it is handed: only otel-xray's own samplers are known to ignore them. */
  class RecordingOffSampler extends AlwaysOffSampler {
    seen = [];
    shouldSample(context, traceId, name, kind, attributes, links) {
      this.seen.push({ ...attributes });
      return super.shouldSample(context, traceId, name, kind, attributes, links);
    }
  }
  const sampler = new RecordingOffSampler();
  let memory;
  let server;
  before(async () => {
    memory = startMemoryTracing({ sampler });
    server = await serve();
  });
  after(async () => {
    await server.close();
    await memory.tracing.shutdown();
  });

  it('is handed the request attributes', async () => {
    const header = await get(server, '/items/7?q=1');
    assert.match(header, /;Sampled=0$/);
    assert.equal(sampler.seen.length, 1);
    const [attributes] = sampler.seen;
    assert.equal(attributes['url.path'], '/items/7');
    assert.equal(attributes['http.request.method'], 'GET');
    assert.equal(attributes['server.address'], '127.0.0.1');
    assert.equal(attributes['user_agent.original'], 'attributes-test');
  });
});

describe('a sampler that reads no attributes', () => {
  let memory;
  let server;
  before(async () => {
    memory = startMemoryTracing({ sampler: 'parentbased_always_on' });
    server = await serve();
  });
  after(async () => {
    await server.close();
    await memory.tracing.shutdown();
  });

  for (const [what, headers] of [
    ['a caller that decided (Sampled=1)', { 'x-amzn-trace-id': 'Root=1-6b082847-1ddb26fd9d76046cc88e1690;Parent=53995c3f42cd8ad8;Sampled=1' }],
    ['a root request', {}],
  ]) {
    it(`still puts every HTTP attribute on the recorded span, for ${what}`, async () => {
      memory.reset();
      await get(server, '/items/9', headers);
      const [span] = await memory.spans(1);
      for (const key of HTTP_ATTRIBUTES) assert.notEqual(span.attributes[key], undefined, key);
      assert.equal(span.attributes['url.path'], '/items/9');
      assert.equal(span.attributes['http.route'], '/items/:id');
    });
  }

  it('answers a caller that said Sampled=0 with an unsampled span, as before', async () => {
    memory.reset();
    const header = await get(server, '/items/3', { 'x-amzn-trace-id': 'Root=1-6b082847-1ddb26fd9d76046cc88e1690;Parent=53995c3f42cd8ad8;Sampled=0' });
    assert.equal(header, 'Root=1-6b082847-1ddb26fd9d76046cc88e1690;Sampled=0');
    await memory.tracing.forceFlush();
    assert.equal(memory.exporter.getFinishedSpans().length, 0);
  });
});
