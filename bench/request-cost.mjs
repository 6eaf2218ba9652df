// In-process cost of otel-xray's own per-request work, without the network, the framework or
// the export: what one server span costs from request start to response finish, next to the
// OTel SDK's bare span start/end and Node's AsyncLocalStorage scope it builds on.
//   node bench/request-cost.mjs   → prints a markdown table (µs per request, median of 5 runs)
import { ROOT_CONTEXT, context, trace } from '@opentelemetry/api';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { startTracing } from 'otel-xray';
import { compileMiddlewareOptions } from '../dist/esm/core/request/middleware-options.js';
import { startRequestTrace } from '../dist/esm/core/request/request-trace.js';

const ITERATIONS = 100_000;
const socket = new Socket();
const settings = compileMiddlewareOptions({});

function request(xrayHeader) {
  const req = new IncomingMessage(socket);
  req.method = 'GET';
  req.url = '/users/42?expand=1';
  req.httpVersion = '1.1';
  req.headers = { host: '127.0.0.1:3000', 'user-agent': 'autocannon', connection: 'keep-alive' };
  if (xrayHeader !== undefined) req.headers['x-amzn-trace-id'] = xrayHeader;
  return [req, new ServerResponse(req)];
}

/** Median µs per call over five runs of ITERATIONS, after a warm-up. */
function measure(fn) {
  for (let i = 0; i < ITERATIONS / 5; i++) fn();
  const runs = [];
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < ITERATIONS; i++) fn();
    runs.push(Number(process.hrtime.bigint() - start) / ITERATIONS / 1000);
  }
  return runs.sort((a, b) => a - b)[2];
}

startTracing({ exporter: 'none', flushOnSigterm: false, outbound: false });
const tracer = trace.getTracer('bench');
const caller = (sampled) => `Root=1-6b082847-1ddb26fd9d76046cc88e1690;Parent=53995c3f42cd8ad8;Sampled=${sampled}`;

const baseline = measure(() => request());
const rows = [
  ['AsyncLocalStorage scope (context.with)', measure(() => context.with(ROOT_CONTEXT, () => 0))],
  ['OTel SDK span start + end, no attributes', measure(() => tracer.startSpan('GET').end())],
  ['otel-xray server span, sampled (caller Sampled=1)', measure(() => {
    const [req, res] = request(caller(1));
    startRequestTrace(req, res, settings);
    res.emit('close');
  }) - baseline],
  ['otel-xray server span, unsampled (caller Sampled=0)', measure(() => {
    const [req, res] = request(caller(0));
    startRequestTrace(req, res, settings);
    res.emit('close');
  }) - baseline],
];
console.log('| per request, in process | µs |\n|---|---:|');
for (const [name, micros] of rows) console.log(`| ${name} | ${micros.toFixed(2)} |`);
