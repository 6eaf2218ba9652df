// Header fuzzing for one adapter: X-Amzn-Trace-Id, traceparent and baggage from fast-check,
// sent in batches over keep-alive connections, plus raw-socket requests for what an HTTP client
// refuses to send (CR, LF, NUL, 16 KB, repeated headers).
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, it } from 'node:test';
import { trace } from '@opentelemetry/api';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import fc from 'fast-check';
import Koa from 'koa';
import { xrayTracing as expressTracing } from 'otel-xray/express';
import { xrayTracing as fastifyTracing } from 'otel-xray/fastify';
import { xrayTracing as koaTracing } from 'otel-xray/koa';
import { parseHead, rawRequest } from './reliability.mjs';
import { listen, startMemoryTracing } from './tracing.mjs';

export const BATCH = 100;
export const RUNS = 100; // BATCH × RUNS = 10,000 cases per adapter
const RESPONSE_HEADER = /^Root=1-([0-9a-f]{8})-([0-9a-f]{24});Sampled=([01])$/;

const activeTraceId = () => trace.getActiveSpan()?.spanContext().traceId ?? null;

/** A server for `framework` whose one route answers the trace id its handler sees. */
export async function fuzzServer(framework) {
  if (framework === 'express') {
    const app = express();
    app.use(expressTracing());
    app.get('/fuzz', (req, res) => res.json({ traceId: activeTraceId() }));
    return listen(http.createServer(app));
  }
  if (framework === 'fastify') {
    const app = Fastify();
    await app.register(fastifyTracing);
    app.get('/fuzz', async () => ({ traceId: activeTraceId() }));
    await app.ready();
    return listen(app.server);
  }
  const app = new Koa();
  app.use(koaTracing());
  const router = new Router();
  router.get('/fuzz', (ctx) => {
    ctx.body = { traceId: activeTraceId() };
  });
  app.use(router.routes());
  return listen(http.createServer(app.callback()));
}

const hexChars = [...'0123456789abcdef'];
const hex = (length) => fc.string({ unit: fc.constantFrom(...hexChars), minLength: length, maxLength: length });
/** Non-zero hex, so ids are valid OTel ids. */
const idHex = (length) => hex(length - 1).map((h) => `${h}1`);
/** Any character an HTTP client may put in a header value (tab, visible ASCII, Latin-1). */
const headerText = (maxLength) =>
  fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9)).map((c) => String.fromCharCode(c)), maxLength });
const space = fc.constantFrom('', ' ', '  ');

/** { value, traceId?, sampled?, valid } describing one X-Amzn-Trace-Id header (or its absence). */
function xrayHeader(epoch) {
  const valid = fc
    .record({ id: idHex(24), parent: idHex(16), sampled: fc.constantFrom('0', '1', '?', undefined), s1: space, s2: space, extra: fc.constantFrom('', ';Lineage=a87bd80c:1|68fd508a:5', ';Self=1-5759e988-bd862e3fe1be46a994272793') })
    .map(({ id, parent, sampled, s1, s2, extra }) => ({
      value: `Root${s2}=${s2}1-${epoch}-${id}${s1};${s1}Parent=${parent}${sampled === undefined ? '' : `;Sampled${s2}=${s2}${sampled}`}${extra}`,
      traceId: epoch + id,
      sampled,
      valid: true,
    }));
  const corrupted = fc
    .record({ id: idHex(24), parent: idHex(16), how: fc.constantFrom('short', 'long', 'non-hex', 'version', 'no-root', 'short-parent') })
    .map(({ id, parent, how }) => {
      let root = `1-${epoch}-${id}`;
      if (how === 'short') root = `1-${epoch}-${id.slice(0, 23)}`;
      if (how === 'long') root = `1-${epoch}-${id}a`;
      if (how === 'non-hex') root = `1-${epoch}-${id.slice(0, 12)}z${id.slice(13)}`;
      if (how === 'version') root = `2-${epoch}-${id}`;
      const key = how === 'no-root' ? 'Rot' : 'Root';
      const parentId = how === 'short-parent' ? parent.slice(1) : parent;
      return { value: `${key}=${root};Parent=${parentId};Sampled=1`, traceId: epoch + id, valid: false };
    });
  const garbage = headerText(200).map((value) => ({ value, valid: false }));
  return fc.oneof(valid, corrupted, garbage, fc.constant(undefined));
}

function traceparentHeader() {
  const valid = fc.record({ id: idHex(32), parent: idHex(16), flags: fc.constantFrom('00', '01') }).map(({ id, parent, flags }) => ({
    value: `00-${id}-${parent}-${flags}`,
    traceId: id,
    sampled: flags === '01' ? '1' : '0',
    valid: true,
  }));
  const corrupted = fc
    .record({ id: idHex(32), parent: idHex(16), how: fc.constantFrom('version-ff', 'zero-id', 'short', 'upper', 'zero-parent') })
    .map(({ id, parent, how }) => {
      const parts = ['00', id, parent, '01'];
      if (how === 'version-ff') parts[0] = 'ff';
      if (how === 'zero-id') parts[1] = '0'.repeat(32);
      if (how === 'short') parts[1] = id.slice(1);
      if (how === 'upper') parts[1] = `${id.slice(0, 31)}G`;
      if (how === 'zero-parent') parts[2] = '0'.repeat(16);
      return { value: parts.join('-'), traceId: id, valid: false };
    });
  const garbage = headerText(120).map((value) => ({ value, valid: false }));
  return fc.oneof(valid, corrupted, garbage, fc.constant(undefined));
}

const baggageHeader = fc.oneof(
  headerText(300),
  fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), headerText(40)), { maxLength: 60 }).map((entries) => entries.map(([k, v]) => `${k}=${v}`).join(',')),
  fc.constant(undefined),
);

/** One case: the headers to send and the trace the response must carry. */
function fuzzCase(epoch) {
  return fc.record({ xray: xrayHeader(epoch), traceparent: traceparentHeader(), baggage: baggageHeader });
}

function send(agent, url, headers) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    request.setTimeout(10_000, () => request.destroy(new Error('timed out')));
    request.on('error', reject);
  });
}

/** The response's trace matches what the headers asked for, or is a fresh trace when they were invalid. */
function checkResponse(fuzz, answer, startedAt) {
  assert.equal(answer.status, 200, `status ${answer.status}: ${answer.body}`);
  const header = answer.headers['x-amzn-trace-id'];
  const match = RESPONSE_HEADER.exec(String(header));
  assert.ok(match, `response header ${JSON.stringify(header)} is a valid X-Amzn-Trace-Id`);
  const traceId = match[1] + match[2];
  assert.equal(JSON.parse(answer.body).traceId, traceId, 'the handler sees the trace the response names');
  const parent = fuzz.xray?.valid ? fuzz.xray : fuzz.traceparent?.valid ? fuzz.traceparent : undefined;
  if (parent !== undefined) {
    assert.equal(traceId, parent.traceId, 'a valid header continues its trace');
    if (parent.sampled === '0' || parent.sampled === '1') assert.equal(match[3], parent.sampled, "the caller's decision is kept");
  } else {
    const seconds = parseInt(match[1], 16);
    assert.ok(seconds >= startedAt - 5 && seconds <= Date.now() / 1000 + 5, `a new trace id starts with the current time (${match[1]})`);
    assert.notEqual(traceId, fuzz.xray?.traceId, 'an invalid X-Amzn-Trace-Id is not continued');
    assert.notEqual(traceId, fuzz.traceparent?.traceId, 'an invalid traceparent is not continued');
  }
  return match[3] === '1';
}

/**
 * 10,000 fuzzed header sets against `server`, BATCH at a time over keep-alive connections.
 * Resolves how many were sent and how many responses said Sampled=1.
 */
export async function fuzzHeaders(server, { spans } = {}) {
  const startedAt = Math.floor(Date.now() / 1000);
  const epoch = startedAt.toString(16).padStart(8, '0');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  let cases = 0;
  let sampled = 0;
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(fuzzCase(epoch), { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const answers = await Promise.all(
          batch.map((fuzz) => {
            const headers = {};
            if (fuzz.xray !== undefined) headers['x-amzn-trace-id'] = fuzz.xray.value;
            if (fuzz.traceparent !== undefined) headers.traceparent = fuzz.traceparent.value;
            if (fuzz.baggage !== undefined) headers.baggage = fuzz.baggage;
            return send(agent, `${server.url}/fuzz`, headers);
          }),
        );
        batch.forEach((fuzz, i) => {
          if (checkResponse(fuzz, answers[i], startedAt)) sampled++;
        });
        cases += batch.length;
        await spans?.(batch.length);
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
  } finally {
    agent.destroy();
  }
  return { cases, sampled };
}

const VALID_ROOT = () => `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${'ab'.repeat(12)};Parent=${'cd'.repeat(8)};Sampled=1`;

/** Requests an HTTP client would refuse to send, each on its own socket; the server answers all without a 5xx and keeps working. */
export async function rawSocketCases(server) {
  const port = server.port;
  const root = VALID_ROOT();
  const request = (headerLines) => `GET /fuzz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headerLines.join('\r\n')}${headerLines.length ? '\r\n' : ''}Connection: close\r\n\r\n`;
  const cases = {
    'NUL in X-Amzn-Trace-Id': request([`X-Amzn-Trace-Id: ${root.slice(0, 20)}\0${root.slice(20)}`]),
    'NUL in traceparent': request([`traceparent: 00-${'ab'.repeat(16)}\0-${'cd'.repeat(8)}-01`]),
    'CRLF smuggling a header': request([`X-Amzn-Trace-Id: ${root}\r\nX-Injected: yes`]),
    'bare CR in value': request([`X-Amzn-Trace-Id: Root=1-\rSampled=1`]),
    'bare LF in value': request([`baggage: a=1\nb=2`]),
    '16 KB X-Amzn-Trace-Id': request([`X-Amzn-Trace-Id: ${'Root=1-'.padEnd(16 * 1024, 'a')}`]),
    '12 KB X-Amzn-Trace-Id': request([`X-Amzn-Trace-Id: ${root};${'k=v;'.repeat(3000)}`]),
    '12 KB baggage': request([`baggage: ${Array.from({ length: 1200 }, (_, i) => `k${i}=v${i}`).join(',')}`]),
    'repeated X-Amzn-Trace-Id': request([`X-Amzn-Trace-Id: ${root}`, `X-Amzn-Trace-Id: Root=1-${'0'.repeat(8)}-${'1'.repeat(24)}`]),
    'repeated traceparent': request([`traceparent: 00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01`, `traceparent: 00-${'ef'.repeat(16)}-${'cd'.repeat(8)}-01`]),
    'repeated baggage': request(['baggage: a=1', 'baggage: b=2', 'baggage: =,,;;==']),
    'Latin-1 bytes': request([`X-Amzn-Trace-Id: Root=1-\xff\xfe\xe9-\x80`, `baggage: k=\xe9\xe8`]),
    'folded header line': request([`X-Amzn-Trace-Id: ${root}`, ' ;Sampled=0']),
    'empty values': request(['X-Amzn-Trace-Id:', 'traceparent:', 'baggage:']),
  };
  const results = {};
  for (const [name, raw] of Object.entries(cases)) {
    const answer = await rawRequest(port, raw);
    assert.ok(answer.status > 0 && answer.status < 500, `${name}: answered ${answer.status}`);
    if (answer.status === 200) {
      const headers = parseHead(answer.head);
      assert.match(String(headers['x-amzn-trace-id']), RESPONSE_HEADER, `${name}: response header stays valid`);
      assert.equal(headers['x-injected'], undefined, `${name}: nothing injected into the response`);
      assert.ok(!/\r|\n|\0/.test(String(headers['x-amzn-trace-id'])), `${name}: no control characters in the response header`);
    }
    results[name] = answer.status;
    const after = await rawRequest(port, request([]));
    assert.equal(after.status, 200, `${name}: the server still answers afterwards`);
  }
  return results;
}

/**
 * The fuzz suite against one framework's adapter. Each framework has its own test file, so the
 * three run in parallel processes.
 */
export function fuzzSuite(framework) {
  const memory = startMemoryTracing();
  let server;
  before(async () => {
    server = await fuzzServer(framework);
  });
  after(async () => {
    await server.close();
    await memory.tracing.shutdown();
  });

  it(`${BATCH * RUNS} fuzzed header sets over keep-alive connections`, async () => {
    let ended = 0;
    const { cases, sampled } = await fuzzHeaders(server, {
      // Count (and drop) the exported spans as we go.
      spans: async () => {
        await memory.tracing.forceFlush();
        ended += memory.exporter.getFinishedSpans().length;
        memory.reset();
      },
    });
    await memory.tracing.forceFlush();
    ended += memory.exporter.getFinishedSpans().length;
    assert.equal(cases, BATCH * RUNS);
    assert.ok(sampled > cases / 2, 'most cases are sampled');
    assert.equal(ended, sampled, 'one exported span per sampled request');
  });

  it('raw-socket requests: CR, LF, NUL, 16 KB and repeated headers', async () => {
    const statuses = await rawSocketCases(server);
    // Node's parser refuses what HTTP forbids; tracing sees the rest and must not turn it into a 5xx.
    assert.equal(statuses['repeated baggage'], 200);
    assert.equal(statuses['12 KB X-Amzn-Trace-Id'], 200);
  });
}
