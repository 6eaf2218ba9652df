// Shared set-up for the viewer's tests: a viewer on free ports, real spans, and ways to send them.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createSocket } from 'node:dgram';
import { startViewer } from 'otel-xray/dev';

/** A viewer on free ports; `finished` collects the traces it reports. */
export async function startTestViewer(options = {}) {
  const finished = [];
  const viewer = await startViewer({ port: 0, otlpPort: 0, udpPort: 0, settleMs: 60_000, onTrace: (traceId, spans, update) => finished.push({ traceId, spans, update }), ...options });
  return { viewer, finished, api: async (path) => (await fetch(new URL(path, viewer.pageUrl))).json() };
}

/** A tracer writing into memory, with the given service name. */
export function memoryTracer(service = 'orders') {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('viewer-test'), exporter };
}

/**
 * One trace as the demo makes it: a SERVER span with an annotation, a CLIENT call to DynamoDB
 * with an exception event, and an error status. Returns the ended spans.
 */
export function orderTrace(tracer, exporter) {
  exporter.reset();
  const server = tracer.startSpan('GET /orders/:id', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/orders/:id', 'url.path': '/orders/42', 'http.response.status_code': 200, order_id: '42', 'aws.xray.annotations': ['order_id'] } });
  const client = tracer.startSpan('DynamoDB.GetItem', { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'aws-api', 'rpc.service': 'DynamoDB', 'rpc.method': 'GetItem', 'aws.dynamodb.table_names': ['orders'] } }, trace.setSpan(ROOT_CONTEXT, server));
  client.recordException(new Error('throttled'));
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'throttled' });
  client.end();
  server.end();
  return exporter.getFinishedSpans();
}

/** Sends each datagram to the viewer's UDP receiver; resolves once all are handed to the OS. */
export async function sendDatagrams(address, datagrams) {
  const [host, port] = address.split(':');
  const socket = createSocket('udp4');
  try {
    for (const datagram of datagrams) await new Promise((resolve, reject) => socket.send(datagram, Number(port), host, (error) => (error ? reject(error) : resolve())));
  } finally {
    socket.close();
  }
}

export const DAEMON_HEADER = '{"format": "json", "version": 1}\n';

export const postOtlp = (url, body, contentType, headers = {}) => fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
