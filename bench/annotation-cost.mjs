// In-process cost of an annotation inside a request: aws-xray-sdk's
// `getSegment().addAnnotation()` through otel-xray/aws-xray-sdk, next to otel-xray's
// `annotate()`. Each call runs in a fresh request (its server span active), started as
// aws-xray-sdk's express.openSegment starts it here (the segment object made with the span).
//   node bench/annotation-cost.mjs   → prints a markdown table (µs per call, median of 41 runs) and a verdict
import { context } from '@opentelemetry/api';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { annotate, startTracing } from 'otel-xray';
import AWSXRay from 'otel-xray/aws-xray-sdk';
import { compileMiddlewareOptions } from '../dist/esm/core/request/middleware-options.js';
import { openRequestSegment } from '../dist/esm/aws-xray-sdk/express.js';

const ITERATIONS = 1_000;
const RUNS = 41;
const socket = new Socket();
const settings = compileMiddlewareOptions({});

/** Sampled requests with their server spans and segments started: the annotations are timed, not the requests. */
function startRequests(count) {
  const requests = [];
  for (let i = 0; i < count; i++) {
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = '/orders/42';
    req.httpVersion = '1.1';
    req.headers = { host: '127.0.0.1:3000', 'x-amzn-trace-id': 'Root=1-6b082847-1ddb26fd9d76046cc88e1690;Parent=53995c3f42cd8ad8;Sampled=1' };
    const res = new ServerResponse(req);
    requests.push([openRequestSegment(req, res, settings)[1].context, res]);
  }
  return requests;
}

// A full collection before each timed run, so one variant does not pay for another's garbage.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc');

/**
 * µs per request of each handler, run inside each of ITERATIONS fresh requests: the median of
 * RUNS runs, the variants interleaved run by run after a warm-up. The requests are started
 * before and finished after the timed loop.
 */
function measure(handlers) {
  const runs = Object.fromEntries(Object.keys(handlers).map((name) => [name, []]));
  for (let run = 0; run <= RUNS; run++) {
    for (const [name, handler] of Object.entries(handlers)) {
      const requests = startRequests(ITERATIONS);
      collectGarbage();
      const start = process.hrtime.bigint();
      for (const [requestContext] of requests) context.with(requestContext, handler);
      const micros = Number(process.hrtime.bigint() - start) / ITERATIONS / 1000;
      for (const [, res] of requests) res.emit('close');
      if (run > 0) runs[name].push(micros); // the first run warms up
    }
  }
  return Object.fromEntries(Object.entries(runs).map(([name, times]) => [name, times.sort((x, y) => x - y)[RUNS >> 1]]));
}

startTracing({ exporter: 'none', flushOnSigterm: false, outbound: false });
const timings = measure({
  none: () => {},
  annotate: () => annotate('customer_tier', 'gold'),
  segment: () => AWSXRay.getSegment().addAnnotation('customer_tier', 'gold'),
});
const viaAnnotate = timings.annotate - timings.none;
const viaSegment = timings.segment - timings.none;

console.log('| one annotation inside a request, in process | µs |\n|---|---:|');
console.log(`| annotate() | ${viaAnnotate.toFixed(2)} |`);
console.log(`| getSegment().addAnnotation() (otel-xray/aws-xray-sdk) | ${viaSegment.toFixed(2)} |`);
// "No more than": within a tenth of a microsecond or 10%, which is timing noise at this size.
const ok = viaSegment <= Math.max(viaAnnotate * 1.1, viaAnnotate + 0.1);
console.log(`\n${ok ? 'PASS' : 'MISS'} aws-xray-sdk: getSegment().addAnnotation() ${viaSegment.toFixed(2)} µs vs annotate() ${viaAnnotate.toFixed(2)} µs (target: no more)`);
