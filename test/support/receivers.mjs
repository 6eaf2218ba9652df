// Real receivers for the exporter tests: an OTLP/HTTP collector stand-in and an X-Ray daemon stand-in.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { waitForItems } from './tracing.mjs';

// The OTLP protobuf messages, generated from opentelemetry-proto and shipped (with decoders) by
// @opentelemetry/otlp-transformer 0.52 (installed under the alias otlp-transformer-protobuf).
const require = createRequire(import.meta.url);
const { opentelemetry } = require('otlp-transformer-protobuf/build/src/generated/root.js');
const { ExportTraceServiceRequest } = opentelemetry.proto.collector.trace.v1;

const hex = (bytes) => (typeof bytes === 'string' ? bytes : Buffer.from(bytes ?? []).toString('hex'));

/** An OTLP AnyValue as a plain JS value. */
function anyValue(value) {
  if (value == null) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in value) return attributesOf(value.kvlistValue.values);
  return undefined;
}

function attributesOf(list = []) {
  return Object.fromEntries(list.map(({ key, value }) => [key, anyValue(value)]));
}

/** Flattens an ExportTraceServiceRequest (decoded protobuf or OTLP JSON) into one entry per span. */
export function flattenRequest(request) {
  const spans = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          resource,
          scope: scopeSpans.scope?.name,
          scopeVersion: scopeSpans.scope?.version,
          name: span.name,
          kind: span.kind,
          traceId: hex(span.traceId),
          spanId: hex(span.spanId),
          parentSpanId: hex(span.parentSpanId),
          attributes: attributesOf(span.attributes),
          status: span.status ?? {},
          events: (span.events ?? []).map((event) => ({ name: event.name, attributes: attributesOf(event.attributes) })),
        });
      }
    }
  }
  return spans;
}

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1. `mode` may change at any time:
 * 'ok' (200), 'error' (500), 'blackhole' (reads the request, never answers), 'slow' (answers 200 after `slowMs`).
 */
export async function startOtlpReceiver({ port = 0, mode = 'ok', slowMs = 300 } = {}) {
  const receiver = {
    mode,
    slowMs,
    requests: 0,
    /** Every span received, flattened. */
    spans: [],
    contentTypes: new Set(),
    held: new Set(),
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      receiver.requests++;
      receiver.lastHeaders = req.headers;
      const body = Buffer.concat(chunks);
      const type = req.headers['content-type'] ?? '';
      receiver.contentTypes.add(type);
      const answer = () => {
        if (receiver.mode === 'error') {
          res.writeHead(500).end('collector error');
          return;
        }
        const request = type.includes('json') ? JSON.parse(body.toString('utf8')) : ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String });
        receiver.spans.push(...flattenRequest(request));
        res.writeHead(200, { 'content-type': type.includes('json') ? 'application/json' : 'application/x-protobuf' }).end(type.includes('json') ? '{}' : '');
      };
      if (receiver.mode === 'blackhole') {
        receiver.held.add(res);
        return;
      }
      if (receiver.mode === 'slow') setTimeout(answer, receiver.slowMs);
      else answer();
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  receiver.port = server.address().port;
  receiver.url = `http://127.0.0.1:${receiver.port}/v1/traces`;
  /** Waits until `count` spans matching `filter` have arrived (bounded). */
  receiver.waitFor = (count, filter = () => true, timeoutMs = 10000) =>
    waitForItems(() => receiver.spans, count, filter, timeoutMs, 'spans at the OTLP receiver');

  receiver.close = () =>
    new Promise((resolve) => {
      for (const res of receiver.held) res.destroy();
      server.closeAllConnections?.();
      server.close(resolve);
    });
  return receiver;
}

const DAEMON_HEADER = '{"format": "json", "version": 1}\n';

/** A UDP listener on 127.0.0.1 standing in for the X-Ray daemon; keeps every datagram and its parsed document. */
export async function startDaemonListener() {
  const socket = createSocket('udp4');
  const listener = { datagrams: [], documents: [], malformed: [] };
  socket.on('message', (message) => {
    const text = message.toString('utf8');
    listener.datagrams.push(message);
    if (!text.startsWith(DAEMON_HEADER)) {
      listener.malformed.push(text);
      return;
    }
    try {
      listener.documents.push(JSON.parse(text.slice(DAEMON_HEADER.length)));
    } catch {
      listener.malformed.push(text);
    }
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  listener.port = socket.address().port;
  listener.address = `127.0.0.1:${listener.port}`;
  /** Waits until `count` documents matching `filter` have arrived (bounded). */
  listener.waitFor = (count, filter = () => true, timeoutMs = 5000) =>
    waitForItems(() => listener.documents, count, filter, timeoutMs, 'segment documents');
  listener.close = () => new Promise((resolve) => socket.close(resolve));
  return listener;
}
