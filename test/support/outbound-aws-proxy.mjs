// A 127.0.0.1 proxy in front of dynalite that records each request's headers, checks its SigV4
// signature against the raw bytes received, and can fail chosen attempts with a 500.
import http from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { ROOT_CONTEXT, context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { listen } from './tracing.mjs';

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

function amzDate(value) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
}

/** Recomputes the request's signature from what arrived; returns { valid, signedHeaders }. */
async function verifySignature(req, body, secretAccessKey) {
  const match = AUTHORIZATION.exec(req.headers.authorization ?? '');
  if (!match) return { valid: false, signedHeaders: [] };
  const [, accessKeyId, , region, service, signedList, signature] = match;
  const signedHeaders = signedList.split(';');
  const headers = {};
  for (const name of signedHeaders) headers[name] = req.headers[name];
  const [hostname, port] = req.headers.host.split(':');
  const request = new HttpRequest({ method: req.method, protocol: 'http:', hostname, port: Number(port), path: req.url, headers, body });
  const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey }, region, service, sha256: Sha256 });
  const signed = await signer.sign(request, { signingDate: amzDate(req.headers['x-amz-date']) });
  return { valid: signed.headers.authorization.endsWith(`Signature=${signature}`), signedHeaders };
}

/**
 * Starts the proxy. `received` gets { target, headers, body, signatureValid, signedHeaders } per request;
 * `failNext(n)` makes the next n requests fail with a retryable 500 before reaching dynalite.
 */
export async function startAwsProxy(upstreamPort, secretAccessKey) {
  const received = [];
  let failures = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const { valid, signedHeaders } = await verifySignature(req, body.toString('utf8'), secretAccessKey);
      received.push({ target: req.headers['x-amz-target'], headers: req.headers, body: body.toString('utf8'), signatureValid: valid, signedHeaders });
      if (failures > 0) {
        failures -= 1;
        res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'FAILEDATTEMPT' });
        res.end(JSON.stringify({ __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: 'try again' }));
        return;
      }
      // The proxy's own forwarding is no part of the app under test: never traced.
      context.with(suppressTracing(ROOT_CONTEXT), () => {
        const upstream = http.request({ host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        });
        upstream.on('error', (error) => res.destroy(error));
        upstream.end(body);
      });
    });
  });
  const { url, port, close } = await listen(server);
  return { url, port, received, close, failNext: (n) => (failures = n) };
}
