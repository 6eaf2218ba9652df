// Fuzzed X-Amzn-Trace-Id, traceparent and baggage headers against the fastify adapter: no crash,
// no 5xx, valid response headers, and a new trace whenever the incoming one is invalid.
import { fuzzSuite } from './support/reliability-fuzz.mjs';

fuzzSuite('fastify');
