import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The sampling API answers in a few kB; anything far larger is not an answer. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const TIMEOUT_MS = 5000;

/** The proxy answered, but not with JSON the SDK can use (an HTTP error, not JSON, too large). */
export class UnusableAnswer extends Error {}

/**
 * POSTs JSON to the X-Ray sampling proxy (the daemon's or the collector's `awsproxy`, which
 * sign and forward to the X-Ray API) and resolves with the parsed JSON answer. Runs with
 * tracing suppressed and outside any request context, so polling never shows up as spans.
 * node:http rather than fetch: the proxy is plain HTTP on localhost and this needs no agent.
 * `signal` aborts it when tracing shuts down, so a proxy that never answers holds nothing open.
 */
export function postJson(url: URL, body: unknown, signal: AbortSignal): Promise<unknown> {
  const payload = JSON.stringify(body);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    context.with(suppressTracing(ROOT_CONTEXT), () => {
      const req = send(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
        timeout: TIMEOUT_MS,
        signal,
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) req.destroy(new UnusableAnswer('answer too large'));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new UnusableAnswer(`HTTP ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch {
            reject(new UnusableAnswer('answer is not JSON'));
          }
        });
      });
      req.end(payload);
    });
  });
}
