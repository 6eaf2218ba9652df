// xray-otlp exporter: OTLP/HTTP protobuf signed with SigV4 (service xray), checked by a receiver
// that recomputes the signature itself.
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DiagLogLevel, diag } from '@opentelemetry/api';
import express from 'express';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startTracing } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';
import { startSigV4Receiver } from './support/receivers-sigv4.mjs';
import { listen } from './support/tracing.mjs';

const CREDENTIALS = { accessKeyId: 'AKIDOTELXRAYTEST', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-1' };
const REGION = 'eu-west-1';
const expected = { ...CREDENTIALS, region: REGION, service: 'xray' };
const receiver = await startSigV4Receiver(expected);
const expiredReceiver = await startSigV4Receiver(expected, { mode: 'expired' });
const SERVER = 2;

// Nothing outside this process's environment may be consulted for credentials (and never an instance metadata address).
const ISOLATED = {
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent/otel-xray-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/otel-xray-credentials',
  HOME: mkdtempSync(join(tmpdir(), 'otel-xray-home-')),
};
const STRIPPED = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ROLE_ARN', 'AWS_REGION', 'AWS_DEFAULT_REGION'];
const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !STRIPPED.includes(key)));

after(async () => {
  rmSync(ISOLATED.HOME, { recursive: true, force: true });
  await receiver.close();
  await expiredReceiver.close();
});

/** Runs a child that exports three separate batches to `url` with the given environment; resolves with { code, stderr }. */
function runChild(url, env) {
  const script = `
    import { trace, SpanKind } from '@opentelemetry/api';
    import { startTracing } from 'otel-xray';
    const tracing = startTracing({ exporter: 'xray-otlp', endpoint: ${JSON.stringify(url)}, serviceName: 'child', outbound: false });
    for (let i = 0; i < 3; i++) {
      trace.getTracer('child').startSpan('batch-' + i, { kind: SpanKind.SERVER }).end();
      await tracing.forceFlush();
    }
    await tracing.shutdown();
    console.log('finished');`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...baseEnv, ...ISOLATED, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr, stdout }));
  });
}

describe('xray-otlp exporter start-up', () => {
  test('a missing region is a clear TypeError at start-up', () => {
    const saved = [process.env.AWS_REGION, process.env.AWS_DEFAULT_REGION];
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      assert.throws(() => startTracing({ exporter: 'xray-otlp' }), (error) =>
        error instanceof TypeError && /^otel-xray: exporter 'xray-otlp' needs an AWS region: set AWS_REGION or AWS_DEFAULT_REGION/.test(error.message));
    } finally {
      if (saved[0] !== undefined) process.env.AWS_REGION = saved[0];
      if (saved[1] !== undefined) process.env.AWS_DEFAULT_REGION = saved[1];
    }
  });
});

describe('the SigV4-verifying receiver', () => {
  async function send(credentials, tamper = false) {
    const url = new URL(receiver.url);
    const body = new Uint8Array();
    const signer = new SignatureV4({ service: 'xray', region: REGION, credentials, sha256: Sha256 });
    const signed = await signer.sign(new HttpRequest({ method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, headers: { host: url.host }, body }));
    const response = await fetch(receiver.url, { method: 'POST', headers: signed.headers, body: tamper ? 'tampered' : body });
    return response.status;
  }

  test('accepts a correct signature and rejects a wrong secret, a wrong key or a changed body', async () => {
    assert.equal(await send(CREDENTIALS), 200);
    assert.equal(await send({ ...CREDENTIALS, secretAccessKey: 'not-the-secret' }), 403);
    assert.equal(await send({ ...CREDENTIALS, accessKeyId: 'AKIDSOMEONEELSE' }), 403);
    assert.equal(await send(CREDENTIALS, true), 403);
    assert.deepEqual(receiver.rejections.splice(0), ['signature does not match', 'unknown access key AKIDSOMEONEELSE', 'x-amz-content-sha256 does not match the body']);
  });
});

describe('xray-otlp exporter to a local endpoint', () => {
  test('requests are signed for service xray with the default credential chain; every span arrives, a 503 is retried', async () => {
    Object.assign(process.env, ISOLATED, { AWS_REGION: REGION, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey, AWS_SESSION_TOKEN: CREDENTIALS.sessionToken });
    const tracing = startTracing({ exporter: 'xray-otlp', endpoint: receiver.url, serviceName: 'signed', flushOnSigterm: false, outbound: false });
    const app = express();
    app.use(xrayTracing());
    app.get('/items/:id', (req, res) => res.send('ok'));
    const server = await listen(app.listen(0, '127.0.0.1'));
    const N = 10;
    for (let i = 0; i < N; i++) assert.equal((await fetch(`${server.url}/items/${i}`)).status, 200);
    await tracing.forceFlush();
    // A 503 is retried (re-signed) and the spans still arrive, with no warning.
    const warnings = [];
    diag.setLogger({ error: (m) => warnings.push(m), warn: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} }, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
    receiver.failNext = 1;
    assert.equal((await fetch(`${server.url}/items/retried`)).status, 200);
    await server.close();
    await tracing.shutdown();
    assert.equal(receiver.unavailable, 1);
    assert.deepEqual(warnings, []);
    assert.deepEqual(receiver.rejections, []);
    assert.equal(receiver.spans.filter((s) => s.attributes['url.path'] === '/items/retried').length, 1);
    const spans = receiver.spans.filter((s) => s.kind === SERVER && s.attributes['url.path'] !== '/items/retried');
    assert.equal(spans.length, N);
    assert.ok(spans.every((s) => s.resource['service.name'] === 'signed' && s.attributes['http.route'] === '/items/:id'));
  });

  test('absent credentials: one clear log line, the count of lost spans at shutdown, no crash, the app finishes', async () => {
    const { code, stderr, stdout } = await runChild(receiver.url, { AWS_REGION: REGION });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /finished/);
    const lines = stderr.split('\n').filter((line) => line.includes('otel-xray'));
    assert.equal(lines.length, 2, stderr);
    assert.match(lines[0], /otel-xray: exporting spans to X-Ray's OTLP endpoint .* failed: cannot sign the request: .*credentials/i);
    assert.match(lines[1], /otel-xray: shutdown: 3 spans were not exported/);
  });

  test('expired credentials (403 ExpiredTokenException): one clear log line, the count of lost spans at shutdown, no crash', async () => {
    const { code, stderr, stdout } = await runChild(expiredReceiver.url, {
      AWS_REGION: REGION, AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /finished/);
    const lines = stderr.split('\n').filter((line) => line.includes('otel-xray'));
    assert.equal(lines.length, 2, stderr);
    assert.match(lines[0], /HTTP 403: ExpiredTokenException/);
    assert.match(lines[1], /otel-xray: shutdown: 3 spans were not exported/);
  });
});
