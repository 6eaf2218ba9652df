// Shared set-up for the outbound tests: downstream servers that record what they receive,
// a self-signed certificate, and span lookups.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { SpanKind } from '@opentelemetry/api';
import { listen } from './tracing.mjs';

/** The parent span id of a finished span (OTel SDK 2.x keeps the parent's span context). */
export const parentIdOf = (span) => span.parentSpanContext?.spanId;

export const clientSpans = (spans) => spans.filter((span) => span.kind === SpanKind.CLIENT);
export const serverSpans = (spans) => spans.filter((span) => span.kind === SpanKind.SERVER);

/**
 * The request handler of a plain downstream that records the headers of every request in `received`.
 * Paths: `/status/<code>` answers that code; `/reset` destroys the socket; `/hang` never answers.
 */
export function recordingHandler(received) {
  return function downstream(req, res) {
    received.push({ url: req.url, method: req.method, headers: req.headers });
    if (req.url.startsWith('/reset')) {
      req.socket.destroy();
      return;
    }
    if (req.url.startsWith('/hang')) return;
    const status = /^\/status\/(\d{3})/.exec(req.url);
    res.statusCode = status ? Number(status[1]) : 200;
    res.end(`downstream ${req.url}`);
  };
}

/** A self-signed certificate for 127.0.0.1 made with openssl; returns { key, cert }. */
export function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'otel-xray-cert-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Parses `Root=…;Parent=…;Sampled=…` into an object. */
export function parseXRay(header) {
  const fields = {};
  for (const part of String(header).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return fields;
}

/** GET with node:http, resolving to { status, body }. */
export function httpGet(url, options = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
  });
}

/**
 * A plain downstream on 127.0.0.1 for the whole test file (started before, closed after), that
 * records every request it gets in `received` (see recordingHandler).
 */
export function recordingDownstream() {
  const downstream = { received: [], url: undefined };
  let server;
  before(async () => {
    server = await listen(http.createServer(recordingHandler(downstream.received)));
    downstream.url = server.url;
  });
  after(() => server.close());
  return downstream;
}
