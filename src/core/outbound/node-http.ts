import { type Span, type TextMapSetter, context, diag, propagation } from '@opentelemetry/api';
import diagnosticsChannel from 'node:diagnostics_channel';
import { ClientRequest, type IncomingMessage } from 'node:http';
import { splitHost } from '../request/http-attributes.js';
import { INJECT_ONLY, SKIP, endAborted, endWithError, endWithStatus, outboundMode, startClientSpan } from './client-span.js';

/*
 * node:http(s) clients. Node 24 and later publish `http.client.request.created` in the
 * ClientRequest constructor, before the headers are rendered: the span starts and the trace
 * headers go in there. `http.client.request.start` comes too late for headers on every
 * version (it fires from `end()`, after `_storeHeader`), so it only catches requests whose
 * headers were rendered in the constructor (raw header arrays, `Expect`), traced without
 * propagation. `http.client.request.error` reports failures before the app's 'error'
 * listeners run; the span ends on the request's 'close', which Node emits after the response
 * body has ended or the request failed, so the span covers the whole exchange.
 *
 * Before Node 24 this code uses no `created` channel (Node 20 has none), and there is no other
 * hook between the constructor and the header render: `net.client.socket` misses reused keep-alive sockets and does not know the request,
 * and rewriting the rendered `_header` string would be far more fragile. So on Node < 24
 * one prototype method, `ClientRequest.prototype._implicitHeader` (what `write`, `end` and
 * `flushHeaders` call to render the headers), is wrapped to start the span first. It sits on
 * the prototype, not on `http.request`, so it works for ESM named imports and bundled apps
 * alike (node:http is never bundled), and it is put back when tracing stops.
 */

const kSpan = Symbol('otel-xray.http-client-span');
// Symbol.for: two copies of otel-xray in one process must not wrap the method twice.
const kWrapped = Symbol.for('otel-xray.http-implicit-header');

/** undefined: not seen yet; null: seen, not traced (or already ended). */
type TracedRequest = ClientRequest & { [kSpan]?: Span | null; res?: IncomingMessage | null };

const requestSetter: TextMapSetter<ClientRequest> = {
  set(request, key, value) {
    request.setHeader(key, value);
  },
};

function begin(request: TracedRequest): void {
  if (request[kSpan] !== undefined) return;
  request[kSpan] = null;
  try {
    const active = context.active();
    const mode = outboundMode(active);
    if (mode === SKIP) return;
    const carrier = request.headersSent ? undefined : request;
    if (mode === INJECT_ONLY) {
      if (carrier !== undefined) propagation.inject(active, carrier, requestSetter);
      return;
    }
    const protocol = request.protocol;
    const hostHeader = request.getHeader('host');
    const [, headerPort] = splitHost(typeof hostHeader === 'string' ? hostHeader : undefined);
    const port = headerPort ?? (protocol === 'https:' ? 443 : 80);
    const authority = typeof hostHeader === 'string' ? hostHeader : request.host;
    const span = startClientSpan(active, request.method, `${protocol}//${authority}`, request.path, request.host, port, carrier, requestSetter);
    if (span === undefined) return;
    request[kSpan] = span;
    request.once('close', onRequestClose);
  } catch (error) {
    diag.debug('otel-xray: could not trace an outbound http call', error);
  }
}

function onRequestClose(this: TracedRequest): void {
  const span = this[kSpan];
  if (span == null) return;
  this[kSpan] = null;
  const response = this.res;
  if (response == null) endAborted(span);
  else if (response.errored != null) endWithError(span, response.errored, response.statusCode);
  else endWithStatus(span, response.statusCode);
}

function onRequestCreated(message: unknown): void {
  begin((message as { request: TracedRequest }).request);
}

function onRequestError(message: unknown): void {
  const { request, error } = message as { request: TracedRequest; error: unknown };
  const span = request[kSpan];
  if (span == null) return;
  request[kSpan] = null;
  endWithError(span, error, request.res?.statusCode);
}

const SUBSCRIPTIONS: Array<[string, (message: unknown) => void]> = [
  ['http.client.request.created', onRequestCreated],
  ['http.client.request.start', onRequestCreated],
  ['http.client.request.error', onRequestError],
];

type ImplicitHeader = ((this: TracedRequest) => void) & { [kWrapped]?: true };

/** Node < 24: start the span just before `_implicitHeader` renders the headers. */
function wrapImplicitHeader(): () => void {
  const prototype = ClientRequest.prototype as unknown as { _implicitHeader?: ImplicitHeader };
  const original = prototype._implicitHeader;
  if (typeof original !== 'function' || original[kWrapped]) return () => {};
  let enabled = true;
  const wrapped: ImplicitHeader = function _implicitHeader(this: TracedRequest): void {
    if (enabled && this[kSpan] === undefined) begin(this);
    return original.call(this);
  };
  wrapped[kWrapped] = true;
  prototype._implicitHeader = wrapped;
  return () => {
    enabled = false;
    // Only put the original back if nothing has wrapped ours since; otherwise ours stays, disabled.
    if (prototype._implicitHeader === wrapped) prototype._implicitHeader = original;
  };
}

const hasCreatedChannel = Number(process.versions.node.split('.')[0]) >= 24;

/** Subscribes to Node's http client channels (plus the Node < 24 header hook); returns the stop. */
export function traceNodeHttp(): () => void {
  for (const [name, handler] of SUBSCRIPTIONS) diagnosticsChannel.subscribe(name, handler);
  const unwrap = hasCreatedChannel ? () => {} : wrapImplicitHeader();
  return () => {
    unwrap();
    for (const [name, handler] of SUBSCRIPTIONS) diagnosticsChannel.unsubscribe(name, handler);
  };
}
