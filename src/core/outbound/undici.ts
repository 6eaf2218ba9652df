import { type Span, type TextMapSetter, context, diag, propagation } from '@opentelemetry/api';
import diagnosticsChannel from 'node:diagnostics_channel';
import { splitHost } from '../request/http-attributes.js';
import { INJECT_ONLY, SKIP, endWithError, endWithStatus, outboundMode, startClientSpan } from './client-span.js';

/*
 * fetch and the undici package publish their request lifecycle on diagnostics channels, the
 * same named channels for Node's bundled copy and any installed copy. Subscribing by name
 * works the same under ESM, CJS, bundlers and Lambda, where require hooks see nothing.
 * `undici:request:create` fires in the caller's async context before anything is sent,
 * and `request.addHeader` still reaches the wire there.
 */

const kSpan = Symbol('otel-xray.undici-span');
const kStatus = Symbol('otel-xray.undici-status');

/** The parts of undici's Request the hooks read (stable across undici 5 to 7). */
interface UndiciRequest {
  origin?: string | URL;
  method?: string;
  path?: string;
  /** `[name, value, …]` since undici 6; `'name: value\r\n…'` before. */
  headers?: unknown[] | string;
  addHeader?(name: string, value: string): unknown;
  [kSpan]?: Span;
  [kStatus]?: number;
}

interface CreateMessage { request: UndiciRequest }
interface HeadersMessage { request: UndiciRequest; response: { statusCode: number } }
interface ErrorMessage { request: UndiciRequest; error: unknown }

/** Drops any header called `name` (lower case) the caller set, so that ours is the only one sent. */
function removeHeader(request: UndiciRequest, name: string): void {
  const headers = request.headers;
  if (Array.isArray(headers)) {
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      const key = headers[i];
      if (typeof key === 'string' && key.length === name.length && key.toLowerCase() === name) headers.splice(i, 2);
    }
  } else if (typeof headers === 'string' && headers.toLowerCase().includes(name)) {
    request.headers = headers
      .split('\r\n')
      .filter((line) => line.slice(0, line.indexOf(':')).trim().toLowerCase() !== name)
      .join('\r\n');
  }
}

/**
 * Replaces, not appends: an app that forwards its incoming headers (a proxy) would otherwise
 * send two `X-Amzn-Trace-Id` values, and the downstream would read a joined, broken one.
 */
const undiciSetter: TextMapSetter<UndiciRequest> = {
  set(request, key, value) {
    removeHeader(request, key.toLowerCase());
    if (typeof request.addHeader === 'function') request.addHeader(key, value);
    else if (Array.isArray(request.headers)) request.headers.push(key, value);
    else if (typeof request.headers === 'string') request.headers += `${key}: ${value}\r\n`;
  },
};

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

function onRequestCreate(message: unknown): void {
  const { request } = message as CreateMessage;
  try {
    const active = context.active();
    const mode = outboundMode(active);
    if (mode === SKIP) return;
    if (mode === INJECT_ONLY) {
      propagation.inject(active, request, undiciSetter);
      return;
    }
    const origin = typeof request.origin === 'string' ? request.origin : (request.origin?.origin ?? '');
    const schemeEnd = origin.indexOf('//');
    const [address, port] = splitHost(schemeEnd < 0 ? undefined : origin.slice(schemeEnd + 2));
    const defaultPort = schemeEnd < 0 ? undefined : DEFAULT_PORTS[origin.slice(0, schemeEnd)];
    const span = startClientSpan(active, request.method, origin, request.path ?? '/', address, port ?? defaultPort, request, undiciSetter);
    if (span !== undefined) request[kSpan] = span;
  } catch (error) {
    diag.debug('otel-xray: could not trace an outbound fetch/undici call', error);
  }
}

function onRequestHeaders(message: unknown): void {
  const { request, response } = message as HeadersMessage;
  if (request[kSpan] !== undefined) request[kStatus] = response.statusCode;
}

/** The response body and trailers are in: the call is complete. */
function onRequestTrailers(message: unknown): void {
  const { request } = message as CreateMessage;
  const span = request[kSpan];
  if (span === undefined) return;
  request[kSpan] = undefined;
  endWithStatus(span, request[kStatus]);
}

function onRequestError(message: unknown): void {
  const { request, error } = message as ErrorMessage;
  const span = request[kSpan];
  if (span === undefined) return;
  request[kSpan] = undefined;
  endWithError(span, error, request[kStatus]);
}

const SUBSCRIPTIONS: Array<[string, (message: unknown) => void]> = [
  ['undici:request:create', onRequestCreate],
  ['undici:request:headers', onRequestHeaders],
  ['undici:request:trailers', onRequestTrailers],
  ['undici:request:error', onRequestError],
];

/** Subscribes to undici's request channels; returns the unsubscribe. */
export function traceUndici(): () => void {
  for (const [name, handler] of SUBSCRIPTIONS) diagnosticsChannel.subscribe(name, handler);
  return () => {
    for (const [name, handler] of SUBSCRIPTIONS) diagnosticsChannel.unsubscribe(name, handler);
  };
}
