// Failing downstreams (refused, reset, timed out, 5xx): the CLIENT span records the failure, and the
// app sees exactly the outcome it sees when the call is not traced.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { Agent, request as undiciRequest } from 'undici';
import { recordingHandler } from './support/outbound.mjs';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const memory = startMemoryTracing({ outbound: true });
const tracer = trace.getTracer('test');
const received = [];
let downstream;
let downstreamServer;
let refusedUrl;
let agent;

before(async () => {
  agent = new Agent();
  downstreamServer = http.createServer(recordingHandler(received));
  downstream = await listen(downstreamServer);
  // A port that was just free: nothing listens there, so connecting is refused.
  const closed = await listen(http.createServer());
  await closed.close();
  refusedUrl = `${closed.url}/nothing`;
});

after(async () => {
  downstreamServer.closeAllConnections();
  await downstream.close();
  await agent.close();
  await memory.tracing.shutdown();
});

function describeError(error) {
  if (error === undefined) return undefined;
  return {
    class: error.constructor?.name,
    name: error.name,
    message: error.message,
    code: error.code,
    cause: error.cause === undefined ? undefined : { class: error.cause.constructor?.name, code: error.cause.code, message: error.cause.message },
  };
}

const clients = {
  async fetch(url, timeoutMs) {
    const answer = await fetch(url, timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {});
    return { status: answer.status, body: await answer.text() };
  },
  async undici(url, timeoutMs) {
    const answer = await undiciRequest(url, { dispatcher: agent, ...(timeoutMs ? { headersTimeout: timeoutMs } : {}) });
    return { status: answer.statusCode, body: await answer.body.text() };
  },
  http(url, timeoutMs, listeners) {
    return new Promise((resolve, reject) => {
      const req = http.get(url, timeoutMs ? { timeout: timeoutMs } : {}, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      listeners.push(req.listenerCount('error'));
    });
  },
};

/** Runs one call and returns its outcome: the answer, or a description of the error thrown. */
async function outcome(client, url, timeoutMs) {
  const listeners = [];
  try {
    return { answer: await clients[client](url, timeoutMs, listeners), listeners };
  } catch (error) {
    return { error: describeError(error), listeners };
  }
}

/** The outcome of a call made untraced, and of the same call made inside a trace, plus its CLIENT span. */
async function compare(client, url, timeoutMs) {
  const untraced = await context.with(suppressTracing(ROOT_CONTEXT), () => outcome(client, url, timeoutMs));
  memory.reset();
  const parent = tracer.startSpan('handler');
  const traced = await context.with(trace.setSpan(ROOT_CONTEXT, parent), () => outcome(client, url, timeoutMs));
  parent.end();
  const spans = await memory.spans(2);
  const span = spans.find((s) => s.kind === SpanKind.CLIENT);
  assert.ok(span, 'a CLIENT span');
  assert.equal(span.parentSpanContext?.spanId, parent.spanContext().spanId);
  return { untraced, traced, span };
}

const failures = [
  ['refused', () => refusedUrl, undefined, ['ECONNREFUSED']],
  ['reset', () => `${downstream.url}/reset`, undefined, ['UND_ERR_SOCKET', 'ECONNRESET']],
  ['timed out', () => `${downstream.url}/hang`, 150, ['TimeoutError', 'UND_ERR_HEADERS_TIMEOUT', 'Error']],
];

describe('outbound calls that fail', () => {
  for (const client of Object.keys(clients)) {
    for (const [label, url, timeoutMs, errorTypes] of failures) {
      it(`${client}, ${label}: the span records the error, the app sees the same error`, async () => {
        const { untraced, traced, span } = await compare(client, url(), timeoutMs);
        assert.ok(untraced.error, `the untraced call fails: ${JSON.stringify(untraced)}`);
        assert.deepEqual(traced.error, untraced.error);
        assert.deepEqual(traced.listeners, untraced.listeners, 'no error listener added');
        assert.equal(span.status.code, SpanStatusCode.ERROR);
        assert.ok(errorTypes.includes(span.attributes['error.type']), `error.type ${span.attributes['error.type']}`);
        assert.equal(span.events.filter((event) => event.name === 'exception').length, 1);
        assert.equal(span.attributes['http.response.status_code'], undefined);
      });
    }

    it(`${client}, 503: status code recorded, status ERROR, the app gets the same response`, async () => {
      const { untraced, traced, span } = await compare(client, `${downstream.url}/status/503`);
      assert.deepEqual(traced.answer, untraced.answer);
      assert.equal(traced.answer.status, 503);
      assert.equal(span.attributes['http.response.status_code'], 503);
      assert.equal(span.attributes['error.type'], '503');
      assert.equal(span.status.code, SpanStatusCode.ERROR);
    });

    it(`${client}, 404: status code recorded, span status left unset`, async () => {
      const { untraced, traced, span } = await compare(client, `${downstream.url}/status/404`);
      assert.deepEqual(traced.answer, untraced.answer);
      assert.equal(span.attributes['http.response.status_code'], 404);
      assert.equal(span.status.code, SpanStatusCode.UNSET);
      assert.equal(span.attributes['error.type'], undefined);
    });
  }
});
