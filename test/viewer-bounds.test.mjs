// The viewer under bad and heavy input: malformed protobuf, JSON and UDP payloads are rejected
// (a 400, or dropped over UDP) and counted, and the receivers keep answering; floods of OTLP
// requests and datagrams keep the number of traces and spans, and the heap, bounded.
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { pollUntil } from './support/tracing.mjs';
import { DAEMON_HEADER, memoryTracer, orderTrace, postOtlp, sendDatagrams, startTestViewer } from './support/viewer.mjs';

const hex = (n, width) => n.toString(16).padStart(width, '0');

/** An OTLP/JSON request holding one trace of `spans` spans, each with a `padding`-character attribute. */
function jsonTrace(index, spans = 5, padding = 0) {
  const traceId = hex(index + 1, 32);
  const start = 1_700_000_000_000_000_000n + BigInt(index) * 1_000_000n;
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'flood' } }] },
      scopeSpans: [{
        spans: Array.from({ length: spans }, (_, i) => ({
          traceId, spanId: hex(i + 1, 16), parentSpanId: i === 0 ? '' : hex(1, 16), name: `span ${i}`, kind: i === 0 ? 2 : 3,
          startTimeUnixNano: String(start), endTimeUnixNano: String(start + 1_000_000n),
          attributes: [{ key: 'padding', value: { stringValue: 'x'.repeat(padding) } }],
        })),
      }],
    }],
  });
}

/** A daemon datagram holding one segment of trace `index`. */
const datagram = (index) => Buffer.from(DAEMON_HEADER + JSON.stringify({
  name: 'flood-udp', id: hex(index + 1, 16), trace_id: `1-6745d1c0-${hex(index + 1, 24)}`, start_time: 1_700_000_000, end_time: 1_700_000_000.01,
}));

async function inBatches(count, size, send) {
  for (let start = 0; start < count; start += size) {
    await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, i) => send(start + i)));
  }
}

describe('malformed payloads', () => {
  let setup;
  before(async () => {
    setup = await startTestViewer();
  });
  after(() => setup.viewer.close());

  const { tracer, exporter } = memoryTracer('orders');
  const good = ProtobufTraceSerializer.serializeRequest(orderTrace(tracer, exporter));

  it('answers malformed protobuf with a 400 and counts it', async () => {
    const bad = {
      'random bytes': Buffer.from('this is not protobuf at all, just text'),
      'truncated in the middle': good.subarray(0, Math.floor(good.length / 2)),
      'a length past the end': Buffer.from([0x0a, 0xff, 0x01, 0x00]),
      'a deprecated group wire type': Buffer.from([0x0b, 0x0c]),
      'a varint longer than 10 bytes': Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]),
      'resource spans as a varint': Buffer.from([0x08, 0x01]),
      'a 4-byte trace id': Buffer.from([0x0a, 0x0a, 0x12, 0x08, 0x12, 0x06, 0x0a, 0x04, 0x01, 0x02, 0x03, 0x04]),
      'attribute values nested 40 deep': nestedArray(40),
    };
    for (const [what, body] of Object.entries(bad)) {
      const response = await postOtlp(setup.viewer.otlpUrl, body, 'application/x-protobuf');
      assert.equal(response.status, 400, what);
      assert.ok((await response.json()).error, what);
    }
    assert.equal(setup.viewer.counters.rejected.protobuf, Object.keys(bad).length);
    assert.equal((await postOtlp(setup.viewer.otlpUrl, good, 'application/x-protobuf')).status, 200);
    assert.equal(setup.viewer.store.stats().spans, 2);
  });

  it('answers malformed JSON with a 400 and counts it', async () => {
    const span = { traceId: hex(7, 32), spanId: hex(7, 16), name: 'x', startTimeUnixNano: '1', endTimeUnixNano: '2' };
    const request = (s) => JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [s] }] }] });
    const bad = {
      'not JSON': '{"resourceSpans": [',
      'an array': '[]',
      'resourceSpans not an array': '{"resourceSpans": {}}',
      'a short trace id': request({ ...span, traceId: 'abc' }),
      'an all-zero span id': request({ ...span, spanId: '0000000000000000' }),
      'a time that is not a number': request({ ...span, startTimeUnixNano: 'yesterday' }),
      'an end before the start': request({ ...span, startTimeUnixNano: '5' }),
      'an attribute without a key': request({ ...span, attributes: [{ value: { stringValue: 'v' } }] }),
      'values nested 40 deep': request({ ...span, attributes: [{ key: 'k', value: JSON.parse('{"arrayValue":{"values":['.repeat(40) + '{"intValue":1}' + ']}}'.repeat(40)) }] }),
    };
    for (const [what, body] of Object.entries(bad)) {
      const response = await postOtlp(setup.viewer.otlpUrl, body, 'application/json');
      assert.equal(response.status, 400, what);
    }
    assert.equal(setup.viewer.counters.rejected.json, Object.keys(bad).length);
    assert.equal((await postOtlp(setup.viewer.otlpUrl, request(span), 'application/json')).status, 200);
  });

  it('answers a corrupt gzip body with a 400; other media types, paths, methods and oversized bodies are refused', async () => {
    const corrupt = await postOtlp(setup.viewer.otlpUrl, Buffer.from('not gzip'), 'application/x-protobuf', { 'content-encoding': 'gzip' });
    assert.equal(corrupt.status, 400);
    const gzipped = await postOtlp(setup.viewer.otlpUrl, gzipSync(good), 'application/x-protobuf', { 'content-encoding': 'gzip' });
    assert.equal(gzipped.status, 200);
    assert.equal((await postOtlp(setup.viewer.otlpUrl, 'hello', 'text/plain')).status, 415);
    assert.equal((await postOtlp(setup.viewer.otlpUrl.replace('/v1/traces', '/v1/logs'), '{}', 'application/json')).status, 404);
    assert.equal((await fetch(setup.viewer.otlpUrl)).status, 405);
    const huge = await postOtlp(setup.viewer.otlpUrl, Buffer.alloc(9 * 1024 * 1024, 0x20), 'application/json').catch((error) => error);
    // The receiver answers 413 and closes; the client sees either the answer or the closed socket.
    assert.ok(huge instanceof Error || huge.status === 413);
    const stats = await setup.api('api/stats');
    assert.equal(stats.rejected.protobuf, 9);
    assert.equal(stats.rejected.other, 4);
    assert.match(stats.lastRejection, /^OTLP: /);
  });

  it('drops malformed datagrams and counts them', async () => {
    const bad = [
      'no header line at all',
      '{"format":"json","version":2}\n{}',
      '{"format": "json", "version": 1}\n{"name": "x", "id": ',
      `${DAEMON_HEADER}[]`,
      `${DAEMON_HEADER}{"name":"x","trace_id":"1-6745d1c0-000000000000000000000001","start_time":1}`,
      `${DAEMON_HEADER}{"name":"x","id":"0000000000000001","trace_id":"bad","start_time":1}`,
      `${DAEMON_HEADER}{"name":"x","id":"0000000000000001","trace_id":"1-6745d1c0-000000000000000000000001"}`,
      `${DAEMON_HEADER}{"name":"x","id":"0000000000000001","trace_id":"1-6745d1c0-000000000000000000000001","start_time":1,"subsegments":{}}`,
      `${DAEMON_HEADER}${'{"name":"x","id":"0000000000000001","start_time":1,"subsegments":['.repeat(40)}`,
    ];
    await sendDatagrams(setup.viewer.udpAddress, [...bad.map((text) => Buffer.from(text)), datagram(1)]);
    await pollUntil(() => (setup.viewer.counters.accepted.udpDatagrams === 1 ? true : undefined), 10_000, () => 'the good datagram did not arrive');
    assert.equal(setup.viewer.counters.rejected.udp, bad.length);
    assert.match(setup.viewer.counters.lastRejection, /^UDP: /);
  });
});

/** An ExportTraceServiceRequest whose one attribute value is an array nested `depth` deep. */
function nestedArray(depth) {
  const length = (n) => (n < 0x80 ? [n] : [(n & 0x7f) | 0x80, n >> 7]);
  const message = (field, bytes) => Buffer.concat([Buffer.from([(field << 3) | 2, ...length(bytes.length)]), bytes]);
  let value = Buffer.from([0x18, 0x01]); // AnyValue { int_value: 1 }
  for (let i = 0; i < depth; i++) value = message(5, message(1, value)); // AnyValue { array_value { values: [value] } }
  const keyValue = Buffer.concat([message(1, Buffer.from('k')), message(2, value)]);
  const span = Buffer.concat([message(1, Buffer.alloc(16, 1)), message(2, Buffer.alloc(8, 1)), message(9, keyValue)]);
  return message(1, message(2, message(2, span)));
}

describe('bounds under a flood', () => {
  let setup;
  before(async () => {
    setup = await startTestViewer({ maxTraces: 50, maxSpansPerTrace: 100 });
  });
  after(() => setup.viewer.close());

  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const heapAfterGc = () => {
    gc();
    return process.memoryUsage().heapUsed;
  };
  const flood = (first, count) => inBatches(count, 16, async (i) => {
    const response = await postOtlp(setup.viewer.otlpUrl, jsonTrace(first + i, 5, 4000), 'application/json');
    assert.equal(response.status, 200);
    await response.arrayBuffer();
  });

  it('keeps the last N traces of a flood of OTLP requests, and the heap flat', async () => {
    await flood(0, 300);
    assert.deepEqual(setup.viewer.store.stats(), { traces: 50, spans: 250, evictedTraces: 250, droppedSpans: 0 });
    const before = heapAfterGc();
    await flood(300, 1500);
    const grown = heapAfterGc() - before;
    assert.deepEqual(setup.viewer.store.stats(), { traces: 50, spans: 250, evictedTraces: 1750, droppedSpans: 0 });
    // 1,500 more traces of 5 spans with 4 KB attributes would hold over 50 MB if kept.
    assert.ok(grown < 15 * 1024 * 1024, `heap grew by ${grown} bytes`);
    const { traces } = await setup.api('api/traces');
    assert.equal(traces.length, 50);
    assert.equal(traces[0].traceId, hex(1800, 32), 'the newest trace is kept');
  });

  it('keeps the last N traces of a flood of datagrams', async () => {
    const sent = 2000;
    await inBatches(sent, 100, (i) => sendDatagrams(setup.viewer.udpAddress, [datagram(10_000 + i)]));
    // Loopback UDP may drop datagrams when the receiver is busy; all that arrive are counted.
    await pollUntil(() => (setup.viewer.counters.accepted.udpDatagrams > 200 ? true : undefined), 10_000, () => 'no datagrams arrived');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stats = setup.viewer.store.stats();
    assert.equal(stats.traces, 50);
    assert.ok(stats.spans <= 250);
    assert.equal(setup.viewer.counters.rejected.udp, 0);
  });

  it('drops the spans of one trace beyond its limit, and counts them', async () => {
    const response = await postOtlp(setup.viewer.otlpUrl, jsonTrace(99_999, 150), 'application/json');
    assert.equal(response.status, 200);
    const stats = setup.viewer.store.stats();
    assert.equal(stats.droppedSpans, 50);
    assert.equal((await setup.api(`api/traces/${hex(100_000, 32)}`)).spans.length, 100);
  });
});
