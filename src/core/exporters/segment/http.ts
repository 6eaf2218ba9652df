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

const ipOnly = (value: string | undefined): string | undefined => (value !== undefined && isIP(value) !== 0 ? value : undefined);

type ClientIp = Pick<NonNullable<HttpBlock['request']>, 'client_ip' | 'x_forwarded_for'>;

/**
 * `client_ip` as the collector picks it: forwarded information (`http.client_ip`, or
 * `client.address` when it is an IP) ahead of the socket peer (`net.peer.ip`, or
 * `network.peer.address` when it is an IP). `x_forwarded_for` marks an address that did not
 * come from the socket: the collector sets it when no socket peer is known at all; like
 * aws-xray-sdk, it is also set when the client address differs from a known socket peer,
 * which is how a server span records a client named by `X-Forwarded-For`.
 */
function clientIpOf(attributes: Attributes): ClientIp {
  const peer = stringValue(attributes['net.peer.ip']) ?? ipOnly(stringValue(attributes['network.peer.address']));
  const forwarded = stringValue(attributes['http.client_ip']) ?? ipOnly(stringValue(attributes['client.address']));
  const clientIp = forwarded ?? peer;
  if (clientIp === undefined) return {};
  return peer === undefined || clientIp !== peer ? { client_ip: clientIp, x_forwarded_for: true } : { client_ip: clientIp };
}

const CONTENT_LENGTH_HEADER = 'http.response.header.content-length';
const RECEIVED_SIZE_KEYS = ['messaging.message_payload_size_bytes', 'messaging.message.body.size'];

function byteCount(value: unknown): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  const count = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
  return typeof count === 'number' && Number.isSafeInteger(count) && count >= 0 ? count : undefined;
}

/** A received-message size, as the collector reads it from the span or one of its events (`message.type=RECEIVED`). */
function receivedSize(attributes: Attributes): number | undefined {
  if (attributes['message.type'] !== 'RECEIVED') return undefined;
  for (const key of RECEIVED_SIZE_KEYS) {
    const size = byteCount(attributes[key]);
    if (size !== undefined && size > 0) return size;
  }
  return undefined;
}

/**
 * The response's declared length: the `Content-Length` response header, `http.response.body.size`,
 * or the size of a received message as the collector reads it. Undefined when none says.
 */
function contentLengthOf(attributes: Attributes, events: readonly { attributes?: Attributes }[]): number | undefined {
  const declared = byteCount(attributes[CONTENT_LENGTH_HEADER]) ?? byteCount(attributes['http.response.body.size']) ?? receivedSize(attributes);
  if (declared !== undefined) return declared;
  for (const event of events) {
    const size = event.attributes === undefined ? undefined : receivedSize(event.attributes);
    if (size !== undefined) return size;
  }
  return undefined;
}

/**
 * The segment's `http` block, or undefined when the span carries no HTTP attribute. Server
 * spans rebuild the URL from the server side, client spans from the peer side.
 */
export function makeHttp(attributes: Attributes, server: boolean, events: readonly { attributes?: Attributes }[] = []): HttpBlock | undefined {
  if (!HTTP_MARKER_KEYS.some((key) => attributes[key] !== undefined)) return undefined;
  const request: NonNullable<HttpBlock['request']> = {};
  const method = first(attributes, 'http.request.method', 'http.method');
  if (method !== undefined) request.method = method;
  const fullUrl = first(attributes, 'url.full', 'http.url');
  if (fullUrl !== undefined) request.url = fullUrl;
  else if (URL_PART_KEYS.some((key) => attributes[key] !== undefined)) request.url = buildUrl(attributes, server);
  const userAgent = first(attributes, 'user_agent.original', 'http.user_agent');
  if (userAgent !== undefined) request.user_agent = userAgent;
  Object.assign(request, clientIpOf(attributes));

  const block: HttpBlock = { request };
  const response: NonNullable<HttpBlock['response']> = {};
  const status = statusCodeOf(attributes);
  if (status !== undefined) response.status = status;
  const contentLength = contentLengthOf(attributes, events);
  if (contentLength !== undefined) response.content_length = contentLength;
  if (Object.keys(response).length > 0) block.response = response;
  return block;
}
