// An OTLP/HTTP receiver that checks AWS SigV4 signatures itself (node:crypto, following the
// published SigV4 algorithm), so the exporter's signer is checked by a second implementation.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { flattenRequest } from './receivers.mjs';
import { waitForItems } from './tracing.mjs';

const require = createRequire(import.meta.url);
const { opentelemetry } = require('otlp-transformer-protobuf/build/src/generated/root.js');
const { ExportTraceServiceRequest } = opentelemetry.proto.collector.trace.v1;

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/;

const encode = (segment) => encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Recomputes the signature of a request; returns the reason it is wrong, or undefined when it is right. */
export function checkSignature({ method, url, headers, body }, { accessKeyId, secretAccessKey, sessionToken, region, service }) {
  const match = AUTH.exec(headers.authorization ?? '');
  if (!match) return 'missing or malformed Authorization header';
  const [, keyId, date, scopeRegion, scopeService, signedHeaders, signature] = match;
  if (keyId !== accessKeyId) return `unknown access key ${keyId}`;
  if (scopeRegion !== region) return `wrong region ${scopeRegion}`;
  if (scopeService !== service) return `wrong service ${scopeService}`;
  const amzDate = headers['x-amz-date'];
  if (typeof amzDate !== 'string' || !amzDate.startsWith(date)) return 'x-amz-date missing or not the credential date';
  if (sessionToken !== undefined && headers['x-amz-security-token'] !== sessionToken) return 'wrong session token';
  const names = signedHeaders.split(';');
  if (!names.includes('host')) return 'host is not signed';
  const { pathname, searchParams } = new URL(url, 'http://placeholder');
  const canonicalUri = pathname.split('/').map((part) => encode(encode(decodeURIComponent(part)))).join('/');
  const canonicalQuery = [...searchParams].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort().join('&');
  const canonicalHeaders = names.map((name) => `${name}:${String(headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = sha256(body);
  if (headers['x-amz-content-sha256'] !== undefined && headers['x-amz-content-sha256'] !== payloadHash) return 'x-amz-content-sha256 does not match the body';
  const canonicalRequest = [method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
  const expected = createHmac('sha256', key).update(stringToSign).digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature)) ? undefined : 'signature does not match';
}

/**
 * An X-Ray OTLP endpoint stand-in on 127.0.0.1: accepts requests signed with `credentials`
 * (403 otherwise, with the reason in `rejections`). mode 'expired' answers every request
 * with X-Ray's 403 ExpiredTokenException; `failNext = n` answers the next n requests 503.
 */
export async function startSigV4Receiver(credentials, { mode = 'ok' } = {}) {
  const receiver = { mode, spans: [], rejections: [], accepted: 0, unavailable: 0, failNext: 0 };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (receiver.failNext > 0) {
        // X-Ray briefly unavailable: 503 with Retry-After 0, which the exporter may retry at once.
        receiver.failNext--;
        receiver.unavailable++;
        res.writeHead(503, { 'retry-after': '0' }).end('{"message":"Service Unavailable"}');
        return;
      }
      if (receiver.mode === 'expired') {
        res.writeHead(403, { 'content-type': 'application/json' }).end('{"__type":"ExpiredTokenException","message":"The security token included in the request is expired"}');
        return;
      }
      const reason = checkSignature({ method: req.method, url: req.url, headers: req.headers, body }, credentials);
      if (reason !== undefined) {
        receiver.rejections.push(reason);
        res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ message: reason }));
        return;
      }
      receiver.accepted++;
      receiver.spans.push(...flattenRequest(ExportTraceServiceRequest.toObject(ExportTraceServiceRequest.decode(body), { longs: String })));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.port = server.address().port;
  receiver.url = `http://127.0.0.1:${receiver.port}/v1/traces`;
  receiver.waitFor = (count, filter = () => true, timeoutMs = 10000) =>
    waitForItems(() => receiver.spans, count, filter, timeoutMs, () => `spans (rejections: ${receiver.rejections.join('; ') || 'none'})`);

  receiver.close = () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(resolve); });
  return receiver;
}
