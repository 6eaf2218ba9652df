// What loads at start-up: the OTLP exporters, their encoders (which pull in the SDK's metrics
// and logs packages) and the AWS credential chain load on the first export, not before; the
// stand-in exporter keeps flush and shutdown semantics. Counted in fresh processes.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ExportResultCode } from '@opentelemetry/core';
import { LazyExporter } from '../dist/esm/core/exporters/lazy-exporter.js';
import { startOtlpReceiver } from './support/receivers.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const receiver = await startOtlpReceiver();
after(() => receiver.close());

const DEFERRED = ['@opentelemetry/otlp-transformer', '@opentelemetry/sdk-metrics', '@opentelemetry/sdk-logs', '@opentelemetry/exporter-trace-otlp-proto', '@aws-sdk/credential-provider-node'];

/**
 * In a fresh CJS process: the packages whose code has loaded, from node_modules or from the
 * bundled files of dist/ (dist/bundle-contents.json lists the packages in each).
 */
const PACKAGES_LOADED = `
  const bundleContents = require(${JSON.stringify(`${ROOT}dist/bundle-contents.json`)});
  const packagesLoaded = () => Object.keys(require.cache).flatMap((file) => {
    const at = file.lastIndexOf('/node_modules/');
    if (at < 0) return bundleContents[file.slice(${JSON.stringify(ROOT)}.length)] ?? [];
    const [scope, name] = file.slice(at + '/node_modules/'.length).split('/');
    return [scope.startsWith('@') ? scope + '/' + name : scope];
  });
`;

/** Starts tracing and the express middleware in a fresh CJS process; prints the deferred packages loaded at each step. */
const SCRIPT = `${PACKAGES_LOADED}
  const loaded = () => ${JSON.stringify(DEFERRED)}.filter((name) => packagesLoaded().includes(name));
  const express = require('express');
  const { startTracing } = require('otel-xray');
  const { xrayTracing } = require('otel-xray/express');
  const tracing = startTracing({ serviceName: 'cold', flushOnSigterm: false, outbound: false });
  const app = express();
  app.use(xrayTracing());
  app.get('/', (req, res) => res.send('ok'));
  const server = app.listen(0, '127.0.0.1', async () => {
    const steps = { started: loaded() };
    await fetch('http://127.0.0.1:' + server.address().port + '/');
    steps.served = loaded();
    await tracing.forceFlush();
    steps.exported = loaded();
    server.close();
    await tracing.shutdown();
    console.log(JSON.stringify(steps));
  });
`;

async function startUp(env) {
  const { stdout } = await run(process.execPath, ['-e', SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, OTEL_LOG_LEVEL: 'error', OTEL_BSP_SCHEDULE_DELAY: '60000', ...env },
    timeout: 60000,
  });
  return JSON.parse(stdout);
}

describe('start-up loads what the first request needs, exporters on first export', () => {
  test('neither the AWS resource detectors package nor TLS loads at start; the detectors only where a platform other than Lambda shows', async () => {
    // At start, then after the detectors have had time to run (bounded polling).
    const script = `${PACKAGES_LOADED}
      const loaded = () => packagesLoaded().includes('@opentelemetry/resource-detector-aws');
      require('otel-xray').startTracing({ flushOnSigterm: false, outbound: false });
      const atStart = loaded();
      const tls = process.moduleLoadList.some((name) => /^NativeModule (https|tls)$/.test(name));
      (async () => {
        for (let i = 0; i < 100 && !loaded(); i++) await new Promise((done) => setTimeout(done, 10));
        console.log(JSON.stringify({ atStart, later: loaded(), tls }));
        process.exit(0);
      })();`;
    const detectorsLoaded = async (env) => {
      const { stdout } = await run(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, OTEL_LOG_LEVEL: 'error', ...env }, timeout: 60000 });
      return JSON.parse(stdout);
    };
    assert.deepEqual(await detectorsLoaded({}), { atStart: false, later: false, tls: false });
    assert.deepEqual(await detectorsLoaded({ AWS_LAMBDA_FUNCTION_NAME: 'cold', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_REGION: 'us-east-1' }), { atStart: false, later: false, tls: false });
    assert.deepEqual(await detectorsLoaded({ ECS_CONTAINER_METADATA_URI_V4: 'http://127.0.0.1:9/v4/x' }), { atStart: false, later: true, tls: false });
  });

  test('otlp: nothing of the exporter at start or while serving; the encoder on the first export', async () => {
    const steps = await startUp({ OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url });
    assert.deepEqual(steps.started, []);
    assert.deepEqual(steps.served, []);
    assert.ok(steps.exported.includes('@opentelemetry/otlp-transformer'), `loaded on export: ${steps.exported}`);
    assert.ok(!steps.exported.includes('@aws-sdk/credential-provider-node'), 'no credential chain for a collector');
    await receiver.waitFor(1, (span) => span.attributes['url.path'] === '/');
  });

  test('xray-otlp: no exporter and no credential chain at start or while serving', async () => {
    const steps = await startUp({ OTEL_TRACES_EXPORTER: 'xray-otlp', AWS_REGION: 'us-east-1', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:9/v1/traces' });
    assert.deepEqual(steps.started, []);
    assert.deepEqual(steps.served, []);
  });
});

describe('LazyExporter', () => {
  const span = {};
  /** A stand-in exporter that records what it was asked. */
  function recorder() {
    const calls = [];
    return {
      calls,
      export: (spans, done) => (calls.push(`export ${spans.length}`), done({ code: ExportResultCode.SUCCESS })),
      forceFlush: async () => calls.push('flush'),
      shutdown: async () => calls.push('shutdown'),
    };
  }
  const exportOnce = (exporter, spans) => new Promise((resolve) => exporter.export(spans, resolve));

  test('loads once, on the first export, and then passes every call through', async () => {
    let loads = 0;
    const real = recorder();
    const lazy = new LazyExporter(async () => (loads++, real));
    await lazy.forceFlush();
    assert.equal(loads, 0, 'a flush before any export loads nothing');
    const results = await Promise.all([exportOnce(lazy, [span]), exportOnce(lazy, [span, span])]);
    assert.deepEqual(results.map((r) => r.code), [ExportResultCode.SUCCESS, ExportResultCode.SUCCESS]);
    assert.equal((await exportOnce(lazy, [span])).code, ExportResultCode.SUCCESS);
    await lazy.forceFlush();
    await lazy.shutdown();
    assert.equal(loads, 1);
    assert.deepEqual(real.calls, ['export 1', 'export 2', 'export 1', 'flush', 'shutdown']);
  });

  test('shutdown before any export loads nothing; a later export fails', async () => {
    let loads = 0;
    const lazy = new LazyExporter(async () => (loads++, recorder()));
    await lazy.shutdown();
    assert.equal((await exportOnce(lazy, [span])).code, ExportResultCode.FAILED);
    assert.equal(loads, 0);
  });

  test('a load failure fails each export with its error and is not retried', async () => {
    let loads = 0;
    const lazy = new LazyExporter(async () => {
      loads++;
      throw new Error('no such package');
    });
    for (let i = 0; i < 3; i++) {
      const result = await exportOnce(lazy, [span]);
      assert.equal(result.code, ExportResultCode.FAILED);
      assert.equal(result.error.message, 'no such package');
    }
    assert.equal(loads, 1);
    await lazy.forceFlush();
    await lazy.shutdown();
  });

  test('shutdown while loading waits for the load and shuts the real exporter down', async () => {
    const real = recorder();
    let release;
    const lazy = new LazyExporter(() => new Promise((resolve) => (release = () => resolve(real))));
    const exported = exportOnce(lazy, [span]);
    const stopped = lazy.shutdown();
    release();
    await stopped;
    await exported;
    assert.deepEqual(real.calls, ['export 1', 'shutdown']);
  });
});
