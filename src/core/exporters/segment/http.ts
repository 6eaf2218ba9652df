import { isIP } from 'node:net';
import { stringValue } from '../../common/index.js';
import type { Attributes, HttpBlock } from './types.js';

/**
 * The attributes the `http` block takes over, old and stable HTTP semantic conventions alike;
 * they are left out of the metadata, as the collector's awsxray exporter does.
 */
export const HTTP_ATTRIBUTES: ReadonlySet<string> = new Set([
  'http.method', 'http.request.method',
  'http.client_ip', 'client.address',
  'http.user_agent', 'user_agent.original',
  'http.status_code', 'http.response.status_code',
  'http.url', 'url.full',
  'http.scheme', 'url.scheme',
  'http.host', 'http.target', 'http.server_name',
  'net.host.port', 'net.host.name', 'host.name', 'net.peer.name', 'net.peer.port', 'net.peer.ip',
  'network.peer.address', 'network.peer.port',
  'url.path', 'url.query', 'server.address', 'server.port',
]);


function first(attributes: Attributes, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const value = stringValue(attributes[key]);
    if (value !== undefined) return value;
  }
  return undefined;
}

/** The HTTP status code, stable or old convention. */
export function statusCodeOf(attributes: Attributes): number | undefined {
  const value = attributes['http.status_code'] ?? attributes['http.response.status_code'];
  const code = typeof value === 'string' ? Number(value) : value;
  return typeof code === 'number' && Number.isInteger(code) ? code : undefined;
}

/** scheme://host[:port]/path?query, the way the semantic conventions say to rebuild a URL. */
function buildUrl(attributes: Attributes, server: boolean): string {
  const scheme = first(attributes, 'http.scheme', 'url.scheme') ?? 'http';
  let host = stringValue(attributes['http.host']);
  let port: string | undefined;
  if (host === undefined) {
    host = server
      ? first(attributes, 'http.server_name', 'net.host.name', 'host.name', 'server.address')
      : first(attributes, 'net.peer.name', 'net.peer.ip', 'server.address');
    port = server ? first(attributes, 'net.host.port', 'server.port') : first(attributes, 'net.peer.port', 'server.port', 'network.peer.port');
  }
  let url = `${scheme}://${host ?? ''}`;
  if (port !== undefined && port !== '' && !(scheme === 'http' && port === '80') && !(scheme === 'https' && port === '443')) url += `:${port}`;
  const target = stringValue(attributes['http.target']);
  if (target !== undefined) return url + target;
  url += stringValue(attributes['url.path']) ?? '/';
  const query = stringValue(attributes['url.query']);
  if (query !== undefined && query !== '') url += query.startsWith('?') ? query : `?${query}`;
  return url;
}

const URL_PART_KEYS = ['http.url', 'url.full', 'http.host', 'http.server_name', 'net.host.name', 'host.name', 'net.peer.name', 'net.peer.ip', 'server.address'];
const HTTP_MARKER_KEYS = ['http.method', 'http.request.method', 'http.client_ip', 'http.user_agent', 'user_agent.original', 'http.status_code',
  'http.response.status_code', 'http.url', 'url.full', 'http.scheme', 'url.scheme', 'http.host', 'http.target', 'http.server_name', 'net.host.port',
  'url.path', 'url.query'];

/**
 * The segment's `http` block, or undefined when the span carries no HTTP attribute. Server
 * spans rebuild the URL from the server side, client spans from the peer side.
 */
export function makeHttp(attributes: Attributes, server: boolean): HttpBlock | undefined {
  if (!HTTP_MARKER_KEYS.some((key) => attributes[key] !== undefined)) return undefined;
  const request: NonNullable<HttpBlock['request']> = {};
  const method = first(attributes, 'http.request.method', 'http.method');
  if (method !== undefined) request.method = method;
  const fullUrl = first(attributes, 'url.full', 'http.url');
  if (fullUrl !== undefined) request.url = fullUrl;
  else if (URL_PART_KEYS.some((key) => attributes[key] !== undefined)) request.url = buildUrl(attributes, server);
  const userAgent = first(attributes, 'user_agent.original', 'http.user_agent');
  if (userAgent !== undefined) request.user_agent = userAgent;

  // The client IP: forwarded information first, then the socket peer.
  const forwarded = stringValue(attributes['http.client_ip']);
  const clientAddress = stringValue(attributes['client.address']);
  const peer = stringValue(attributes['net.peer.ip']) ?? stringValue(attributes['network.peer.address']);
  const peerIsIp = peer !== undefined && isIP(peer) !== 0;
  if (forwarded !== undefined) request.client_ip = forwarded;
  else if (clientAddress !== undefined && isIP(clientAddress) !== 0) request.client_ip = clientAddress;
  else if (peerIsIp) request.client_ip = peer;
  if (!peerIsIp && request.client_ip !== undefined) request.x_forwarded_for = true;

  const block: HttpBlock = { request };
  const status = statusCodeOf(attributes);
  if (status !== undefined) block.response = { status };
  return block;
}
