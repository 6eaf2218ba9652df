import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { type Agent, type IncomingHttpHeaders, request as httpRequest } from 'node:http';
import { guardedAgent } from './guarded-agent.js';
import { httpsModule } from './https-module.js';

/** The largest answer read, as OTel's own OTLP transport caps it: a backend's answer is small. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;

export interface PostOptions {
  headers: Record<string, string | number>;
  timeoutMillis: number;
  /** Aborts the request, e.g. when tracing shuts down. */
  signal?: AbortSignal;
}

export interface PostResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** The answer was larger than MAX_RESPONSE_BYTES; reading stopped there. */
export class ResponseTooLargeError extends Error {
  constructor() {
    super(`the answer was larger than ${MAX_RESPONSE_BYTES} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

const agents = new Map<string, Agent>();

function agentFor(protocol: string): Agent {
  let agent = agents.get(protocol);
  if (agent === undefined) agents.set(protocol, (agent = guardedAgent(protocol)));
  return agent;
}

/**
 * POSTs `body` to `url` (http or https) and resolves the answer, whatever its status. Shared
 * by the SigV4 exporter transport and the sampling proxy client:
 * - the answer is read up to MAX_RESPONSE_BYTES, beyond that it rejects with ResponseTooLargeError;
 * - it rejects on a network error, after `timeoutMillis` without an answer, or on `signal`;
 * - sockets come from a guarded keep-alive agent, so no network fault can crash the process;
 * - it runs outside any request context with tracing suppressed, so it never shows up as a span.
 *
 * @example
 * const { status, body } = await post(new URL('http://127.0.0.1:2000/GetSamplingRules'), '{}', { headers: { 'content-type': 'application/json' }, timeoutMillis: 5000 });
 */
export function post(url: URL, body: Uint8Array | string, options: PostOptions): Promise<PostResponse> {
  const send = url.protocol === 'https:' ? httpsModule().request : httpRequest;
  const { timeoutMillis, signal } = options;
  return new Promise((resolve, reject) => {
    context.with(suppressTracing(ROOT_CONTEXT), () => {
      const headers = { ...options.headers, 'content-length': Buffer.byteLength(body) };
      const req = send(url, { method: 'POST', headers, agent: agentFor(url.protocol), timeout: Math.max(1, timeoutMillis), signal });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMillis} ms`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size <= MAX_RESPONSE_BYTES) return void chunks.push(chunk);
          chunks.length = 0;
          req.destroy(new ResponseTooLargeError());
        });
        res.on('error', reject);
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.end(body);
    });
  });
}

/**
 * The AWS error type of a failed answer (`ExpiredTokenException`), from the `x-amzn-errortype`
 * header or the body's `__type`/`code`, or undefined. Only a bare identifier is returned:
 * the rest of an error body may echo the request's headers, credentials included, so it is
 * never logged.
 */
export function awsErrorType(response: PostResponse): string | undefined {
  let type: unknown = response.headers['x-amzn-errortype'];
  if (typeof type !== 'string' && response.body.length > 0 && response.body.length < 64 * 1024) {
    try {
      const parsed = JSON.parse(response.body.toString('utf8')) as { __type?: unknown; code?: unknown } | null;
      type = parsed?.__type ?? parsed?.code;
    } catch {
      type = undefined;
    }
  }
  if (typeof type !== 'string') return undefined;
  // `AccessDeniedException:http://…` and `com.amazon.coral#AccessDeniedException` both name AccessDeniedException.
  const name = type.split(':')[0]?.split('#').pop() ?? '';
  return /^[A-Za-z][A-Za-z0-9]{0,99}$/.test(name) ? name : undefined;
}
