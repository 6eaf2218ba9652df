import type { IncomingHttpHeaders } from 'node:http';

/** Tells whether a request brought any header the registered propagator reads. */
export type CallerHeadersCheck = (headers: IncomingHttpHeaders) => boolean;

/** The headers of the default propagators (`xray`, `tracecontext`, `baggage`), lower case. */
const DEFAULT_HEADERS: ReadonlySet<string> = new Set(['x-amzn-trace-id', 'traceparent', 'tracestate', 'baggage']);

/**
 * The default propagators' headers, each read by its own name: a load the engine caches by the
 * object's shape. A loop over the names reads `headers[name]` with a varying key, which V8 looks
 * up the slow way each time (measured on Node 24: about 1k instructions per request).
 */
function hasDefaultCallerHeaders(headers: IncomingHttpHeaders): boolean {
  return (
    headers['x-amzn-trace-id'] !== undefined ||
    headers.traceparent !== undefined ||
    headers.tracestate !== undefined ||
    headers.baggage !== undefined
  );
}

/**
 * The check for a propagator that reads `fields` (any case). Within the default headers, it reads
 * all four: a request with a header the propagator ignores is then handed to it, which finds no
 * caller, as it would have found none anyway.
 */
export function callerHeadersCheck(fields: readonly string[]): CallerHeadersCheck {
  const names = fields.map((field) => field.toLowerCase());
  if (names.every((name) => DEFAULT_HEADERS.has(name))) return hasDefaultCallerHeaders;
  return (headers) => names.some((name) => headers[name] !== undefined);
}
