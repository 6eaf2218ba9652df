import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Methods the HTTP semantic conventions name; any other is reported as `_OTHER`. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

export function normalizeMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/** The span name for a normalized method: the method itself, or `HTTP` for `_OTHER` (HTTP semantic conventions). */
export function spanNameOf(method: string): string {
  return method === '_OTHER' ? 'HTTP' : method;
}

/** The path part of a request target (`/a/b?x=1` → `/a/b`; absolute form `http://h/a?x` → `/a`). */
export function pathOf(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  let start = 0;
  if (url.charCodeAt(0) !== 47 /* "/" */) {
    const authority = url.indexOf('://');
    if (authority > 0) {
      start = url.indexOf('/', authority + 3);
      if (start < 0) return '/';
    }
  }
  const query = url.indexOf('?', start);
  return query < 0 ? (start === 0 ? url : url.slice(start)) : url.slice(start, query);
}

/** The request target as the client sent it: express rewrites `req.url` inside a mounted middleware, not `originalUrl`. */
export function targetOf(req: IncomingMessage): string | undefined {
  const original = (req as IncomingMessage & { originalUrl?: unknown }).originalUrl;
  return typeof original === 'string' ? original : req.url;
}

/** A DNS name is at most 253 characters, plus `:65535`; a longer Host header is not recorded. */
const MAX_HOST_LENGTH = 259;

/** `host:port`, `[::1]:port` or `host` → [host, port]. */
export function splitHost(host: string | undefined): [string | undefined, number | undefined] {
  if (host === undefined || host === '' || host.length > MAX_HOST_LENGTH) return [undefined, undefined];
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.endsWith(']')) return [host, undefined];
  const port = Number(host.slice(colon + 1));
  return [host.slice(0, colon), Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined];
}

/** Longest forwarded value kept: an IPv6 address with a port is under 64 characters; longer is not an address. */
const MAX_FORWARDED_LENGTH = 64;

/** The first entry of an `X-Forwarded-*` header (the client's side), or undefined when absent or implausible. */
function firstForwarded(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const comma = first.indexOf(',');
  const entry = (comma < 0 ? first : first.slice(0, comma)).trim();
  return entry === '' || entry.length > MAX_FORWARDED_LENGTH ? undefined : entry;
}

/** `X-Forwarded-Proto` as set by a load balancer; anything but http/https is ignored. */
function forwardedScheme(value: string | string[] | undefined): string | undefined {
  const scheme = firstForwarded(value)?.toLowerCase();
  return scheme === 'https' || scheme === 'http' ? scheme : undefined;
}

/** The stable HTTP server attributes known when the request arrives (all but status and route). */
export function requestAttributes(req: IncomingMessage, method: string, path: string): Record<string, string | number> {
  const headers = req.headers;
  const scheme = forwardedScheme(headers['x-forwarded-proto']) ?? ((req.socket as TLSSocket | null)?.encrypted ? 'https' : 'http');
  const [address, port] = splitHost(headers.host);
  const attributes: Record<string, string | number> = {
    'http.request.method': method,
    'url.path': path,
    'url.scheme': scheme,
    // HTTP/2 requests say '2.0'; the semantic conventions name the version '2'.
    'network.protocol.version': req.httpVersion === '2.0' ? '2' : req.httpVersion,
  };
  if (method === '_OTHER' && req.method !== undefined) attributes['http.request.method_original'] = req.method;
  if (address !== undefined) attributes['server.address'] = address;
  const serverPort = port ?? req.socket?.localPort;
  if (serverPort !== undefined) attributes['server.port'] = serverPort;
  // The socket peer apart from the client: when they differ, the client was named by X-Forwarded-For.
  const peer = req.socket?.remoteAddress;
  const client = firstForwarded(headers['x-forwarded-for']) ?? peer;
  if (client !== undefined) attributes['client.address'] = client;
  if (peer !== undefined) attributes['network.peer.address'] = peer;
  const peerPort = req.socket?.remotePort;
  if (peerPort !== undefined) attributes['network.peer.port'] = peerPort;
  const userAgent = headers['user-agent'];
  if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
  return attributes;
}
