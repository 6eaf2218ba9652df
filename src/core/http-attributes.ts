import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

/** Methods the HTTP semantic conventions name; any other is reported as `_OTHER`. */
const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH', 'QUERY']);

export function normalizeMethod(method: string | undefined): string {
  return method !== undefined && KNOWN_METHODS.has(method) ? method : '_OTHER';
}

/** The path part of a request target (`/a/b?x=1` → `/a/b`). */
export function pathOf(url: string | undefined): string {
  if (url === undefined || url === '') return '/';
  const query = url.indexOf('?');
  return query < 0 ? url : url.slice(0, query);
}

/** `host:port`, `[::1]:port` or `host` → [host, port]. */
export function splitHost(host: string | undefined): [string | undefined, number | undefined] {
  if (host === undefined || host === '') return [undefined, undefined];
  const colon = host.lastIndexOf(':');
  if (colon < 0 || host.endsWith(']')) return [host, undefined];
  const port = Number(host.slice(colon + 1));
  return [host.slice(0, colon), Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined];
}

function firstForwarded(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  const comma = first.indexOf(',');
  const address = (comma < 0 ? first : first.slice(0, comma)).trim();
  return address === '' ? undefined : address;
}

/** The stable HTTP server attributes known when the request arrives (all but status and route). */
export function requestAttributes(req: IncomingMessage, method: string, path: string): Record<string, string | number> {
  const headers = req.headers;
  const scheme = firstForwarded(headers['x-forwarded-proto']) ?? ((req.socket as TLSSocket | null)?.encrypted ? 'https' : 'http');
  const [address, port] = splitHost(headers.host);
  const attributes: Record<string, string | number> = {
    'http.request.method': method,
    'url.path': path,
    'url.scheme': scheme,
    'network.protocol.version': req.httpVersion,
  };
  if (method === '_OTHER' && req.method !== undefined) attributes['http.request.method_original'] = req.method;
  if (address !== undefined) attributes['server.address'] = address;
  const serverPort = port ?? req.socket?.localPort;
  if (serverPort !== undefined) attributes['server.port'] = serverPort;
  const client = firstForwarded(headers['x-forwarded-for']) ?? req.socket?.remoteAddress;
  if (client !== undefined) attributes['client.address'] = client;
  const userAgent = headers['user-agent'];
  if (userAgent !== undefined) attributes['user_agent.original'] = userAgent;
  return attributes;
}
