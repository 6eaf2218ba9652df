// Local trace receivers on 127.0.0.1 for the reliability suite and the benchmark: an OTLP/HTTP
// receiver (protobuf or JSON) that can also misbehave, and a UDP socket for X-Ray segments.
import dgram from 'node:dgram';
import http from 'node:http';
import { gunzipSync } from 'node:zlib';

const SERVER_KIND = 2;

/** Calls visit(field, wireType, value, start, end) for each field of a protobuf message in buf[start, end). */
function walk(buf, start, end, visit) {
  let i = start;
  const varint = () => {
    let result = 0;
    let shift = 1;
    for (;;) {
      const byte = buf[i++];
      result += (byte & 0x7f) * shift;
      if (byte < 0x80) return result;
      shift *= 128;
    }
  };
  while (i < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) visit(field, wire, varint());
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire === 2) {
      const length = varint();
      visit(field, wire, undefined, i, i + length);
      i += length;
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
  }
}

function decodeAnyValue(buf, start, end) {
  let value;
  walk(buf, start, end, (field, wire, number, s, e) => {
    if (field === 1 && wire === 2) value = buf.toString('utf8', s, e);
    else if (field === 2) value = number === 1;
    else if (field === 3 && wire === 0) value = number;
    else if (wire === 2) value = buf.toString('latin1', s, e); // arrays, kvlists, bytes: kept raw, searched as text
  });
  return value;
}

function decodeSpan(buf, start, end) {
  const span = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, attributes: {}, events: [] };
  walk(buf, start, end, (field, wire, number, s, e) => {
    if (field === 1) span.traceId = buf.toString('hex', s, e);
    else if (field === 2) span.spanId = buf.toString('hex', s, e);
    else if (field === 4) span.parentSpanId = buf.toString('hex', s, e);
    else if (field === 5) span.name = buf.toString('utf8', s, e);
    else if (field === 6) span.kind = number;
    else if (field === 9) {
      let key;
      let value;
      walk(buf, s, e, (f, w, n, s2, e2) => {
        if (f === 1) key = buf.toString('utf8', s2, e2);
        else if (f === 2) value = decodeAnyValue(buf, s2, e2);
      });
      span.attributes[key] = value;
    } else if (field === 11) span.events.push(buf.toString('latin1', s, e));
  });
  return span;
}

/** Spans of an OTLP ExportTraceServiceRequest in protobuf; `full` decodes ids, names and attributes, else only kinds. */
export function decodeOtlpProtobuf(buf, full = true) {
  const spans = [];
  walk(buf, 0, buf.length, (f1, w1, n1, s1, e1) => {
    if (f1 !== 1 || w1 !== 2) return;
    walk(buf, s1, e1, (f2, w2, n2, s2, e2) => {
      if (f2 !== 2 || w2 !== 2) return;
      walk(buf, s2, e2, (f3, w3, n3, s3, e3) => {
        if (f3 !== 2 || w3 !== 2) return;
        if (full) spans.push(decodeSpan(buf, s3, e3));
        else {
          let kind = 0;
          walk(buf, s3, e3, (f4, w4, n4) => {
            if (f4 === 6) kind = n4;
          });
          spans.push({ kind });
        }
      });
    });
  });
  return spans;
}

function decodeOtlpJson(text) {
  const spans = [];
  for (const rs of JSON.parse(text).resourceSpans ?? []) {
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const attributes = {};
        for (const { key, value } of s.attributes ?? []) attributes[key] = value?.stringValue ?? value?.intValue ?? value?.boolValue ?? JSON.stringify(value);
        spans.push({
          traceId: s.traceId,
          spanId: s.spanId,
          parentSpanId: s.parentSpanId ?? '',
          name: s.name,
          kind: s.kind,
          attributes,
          events: (s.events ?? []).map((e) => JSON.stringify(e)),
        });
      }
    }
  }
  return spans;
}

/**
 * An OTLP/HTTP trace receiver on 127.0.0.1. mode 'ok' answers 200; 'error' answers 500;
 * 'blackhole' accepts requests and never answers. Counts are kept per request path, so one
 * receiver can serve several senders (`url('/a/v1/traces')`).
 * `full` keeps decoded spans and raw bodies (for the tests); otherwise only counts.
 * `answerDelayMs` holds each 200 answer that long, so an export stays in flight meanwhile.
 */
export async function startOtlpReceiver({ mode = 'ok', full = true, answerDelayMs = 0 } = {}) {
  const counts = new Map();
  const spans = [];
  const bodies = [];
  let requests = 0;
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    requests++;
    if (mode === 'blackhole') {
      req.resume();
      return;
    }
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      if (mode === 'error') {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('receiver error');
        return;
      }
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const json = String(req.headers['content-type']).includes('json');
      const decoded = json ? decodeOtlpJson(body.toString('utf8')) : decodeOtlpProtobuf(body, full);
      const count = counts.get(req.url) ?? { spans: 0, server: 0, exports: 0 };
      count.exports++;
      count.spans += decoded.length;
      for (const span of decoded) if (span.kind === SERVER_KIND) count.server++;
      counts.set(req.url, count);
      if (full) {
        spans.push(...decoded);
        bodies.push(body);
      }
      const answer = () => res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
      if (answerDelayMs > 0) setTimeout(answer, answerDelayMs);
      else answer();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    port,
    url: (path = '/v1/traces') => `http://127.0.0.1:${port}${path}`,
    counts,
    spans,
    bodies,
    get requests() {
      return requests;
    },
    reset() {
      counts.clear();
      spans.length = 0;
      bodies.length = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A UDP socket on 127.0.0.1 that collects X-Ray daemon datagrams (`{"format":"json","version":1}\n{doc}`). */
export async function startUdpReceiver({ full = true } = {}) {
  const socket = dgram.createSocket('udp4');
  const documents = [];
  const raw = [];
  let segments = 0;
  let datagrams = 0;
  socket.on('message', (message) => {
    datagrams++;
    const text = message.toString('utf8');
    const newline = text.indexOf('\n');
    let doc;
    try {
      doc = JSON.parse(text.slice(newline + 1));
    } catch {
      doc = undefined;
    }
    if (doc !== undefined && doc.type !== 'subsegment') segments++;
    if (full) {
      raw.push(text);
      if (doc !== undefined) documents.push(doc);
    }
  });
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    address: `127.0.0.1:${socket.address().port}`,
    documents,
    raw,
    get segments() {
      return segments;
    },
    get datagrams() {
      return datagrams;
    },
    reset() {
      documents.length = 0;
      raw.length = 0;
      segments = 0;
    },
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}
