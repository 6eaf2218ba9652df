// The published package: `npm pack`, installed into a fresh project, loads through require and
// import on every entry point. Uses the built dist/ (npm test builds first).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ENTRY_POINTS = {
  'otel-xray': ['annotate', 'setMetadata', 'startTracing'],
  'otel-xray/express': ['xrayErrorHandler', 'xrayTracing'],
  'otel-xray/fastify': ['xrayTracing'],
  'otel-xray/koa': ['xrayTracing'],
  'otel-xray/aws-xray-sdk': ['captureAsyncFunc', 'getSegment', 'setSegment', 'Segment', 'Subsegment'],
};

/** Prints, for each entry point, where it resolved and its exported functions, as JSON. */
const CJS_SCRIPT = `
  const out = {};
  for (const name of ${JSON.stringify(Object.keys(ENTRY_POINTS))}) {
    const exports = require(name);
    out[name] = { file: require.resolve(name), functions: Object.keys(exports).filter((k) => typeof exports[k] === 'function').sort() };
  }
  console.log(JSON.stringify(out));
`;
const ESM_SCRIPT = `
  const out = {};
  for (const name of ${JSON.stringify(Object.keys(ENTRY_POINTS))}) {
    const exports = await import(name);
    out[name] = { file: import.meta.resolve(name), functions: Object.keys(exports).filter((k) => typeof exports[k] === 'function').sort() };
  }
  console.log(JSON.stringify(out));
`;
/** The ESM and CJS builds, loaded together, share one tracing state. */
const DUAL_SCRIPT = `
  import { createRequire } from 'node:module';
  import { startTracing } from 'otel-xray';
  const require = createRequire(process.cwd() + '/');
  const tracing = startTracing({ exporter: 'none', outbound: false, flushOnSigterm: false });
  console.log(JSON.stringify({ same: require('otel-xray').startTracing() === tracing }));
  await tracing.shutdown();
`;

/** Exports one span with exporter xray-otlp and prints what the exporter warned. */
const XRAY_OTLP_SCRIPT = `
  import { diag, trace } from '@opentelemetry/api';
  import { startTracing } from 'otel-xray';
  const warnings = [];
  diag.setLogger({ warn: (m) => warnings.push(m), error: (m) => warnings.push(m), info() {}, debug() {}, verbose() {} });
  const tracing = startTracing({ exporter: 'xray-otlp', endpoint: 'http://127.0.0.1:9/v1/traces', outbound: false, flushOnSigterm: false });
  trace.getTracer('check').startSpan('one').end();
  await tracing.forceFlush();
  await tracing.shutdown();
  console.log(JSON.stringify(warnings));
`;

/** A TypeScript app using the public API: its options, samplers and the NodeSDK hand-off. */
const TYPED_CONSUMER = `
  import { startTracing, xrayNodeSdkConfig, XRayRemoteSampler, annotate } from 'otel-xray';
  import { xrayTracing as expressTracing } from 'otel-xray/express';
  import { xrayTracing as koaTracing } from 'otel-xray/koa';
  import { xrayLambda } from 'otel-xray/lambda';
  const tracing = startTracing({ serviceName: 'orders', sampler: new XRayRemoteSampler({ endpoint: 'http://localhost:2000' }) });
  const config = xrayNodeSdkConfig({ exporter: 'none' });
  const handler = xrayLambda(async (event: { id: string }) => event.id);
  annotate('tenant', 'a');
  export const used = [tracing.stats(), config.sampler, expressTracing(), koaTracing(), handler];
`;

describe('npm package', () => {
  let dir;
  let packed;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'otel-xray-pack-'));
    const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, timeout: 60000 });
    [packed] = JSON.parse(stdout);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    await run(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', join(dir, packed.filename)],
      { cwd: dir, timeout: 110000 },
    );
  });

  after(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('ships the built code only: dist, no sources, tests or source maps', () => {
    const files = packed.files.map((file) => file.path);
    assert.ok(files.includes('package.json'));
    assert.ok(files.includes('LICENSE'), 'the license that package.json names');
    assert.ok(files.includes('dist/esm/index.js') && files.includes('dist/cjs/index.js'));
    assert.ok(files.includes('dist/cjs/package.json'), 'dist/cjs is marked CommonJS');
    assert.deepEqual(files.filter((file) => !file.startsWith('dist/') && !['package.json', 'README.md', 'LICENSE'].includes(file)), []);
    assert.deepEqual(files.filter((file) => file.endsWith('.map')), []);
  });

  it('loads every entry point through require, from the CJS build', async () => {
    const { stdout } = await run(process.execPath, ['-e', CJS_SCRIPT], { cwd: dir });
    const loaded = JSON.parse(stdout);
    for (const [name, functions] of Object.entries(ENTRY_POINTS)) {
      assert.match(loaded[name].file, /node_modules\/otel-xray\/dist\/cjs\//, name);
      for (const fn of functions) assert.ok(loaded[name].functions.includes(fn), `${name} exports ${fn}`);
    }
  });

  it('loads every entry point through import, from the ESM build', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', ESM_SCRIPT], { cwd: dir });
    const loaded = JSON.parse(stdout);
    for (const [name, functions] of Object.entries(ENTRY_POINTS)) {
      assert.match(loaded[name].file, /node_modules\/otel-xray\/dist\/esm\//, name);
      for (const fn of functions) assert.ok(loaded[name].functions.includes(fn), `${name} exports ${fn}`);
    }
    assert.ok(loaded['otel-xray/fastify'].functions.includes('default'), 'the fastify plugin is also the default export');
  });

  it('ships the otel-xray bin with the viewer page, and loads otel-xray/dev through import', async () => {
    const files = packed.files.map((file) => file.path);
    for (const file of ['index.html', 'app.js', 'style.css']) assert.ok(files.includes(`dist/esm/dev/page/${file}`), file);
    const { stdout } = await run(join(dir, 'node_modules/.bin/otel-xray'), ['--help'], { cwd: dir });
    assert.match(stdout, /^Usage: otel-xray dev/);
    const { stdout: loaded } = await run(process.execPath, ['--input-type=module', '-e', "console.log(typeof (await import('otel-xray/dev')).startViewer)"], { cwd: dir });
    assert.equal(loaded.trim(), 'function');
  });

  it('installs without the AWS credential chain; exporter xray-otlp then names the packages to install', async () => {
    const { stdout: listed } = await run('npm', ['ls', '--all', '--parseable'], { cwd: dir });
    assert.doesNotMatch(listed, /@aws-sdk|@smithy|@aws-crypto/, 'optional peers are not installed');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', XRAY_OTLP_SCRIPT], { cwd: dir, env: { ...process.env, AWS_REGION: 'us-east-1', OTEL_LOG_LEVEL: '' } });
    const warnings = JSON.parse(stdout).join('\n');
    assert.match(warnings, /optional peer dependencies that are not installed: npm install @aws-sdk\/credential-provider-node @smithy\/signature-v4 @smithy\/protocol-http @aws-crypto\/sha256-js/);
  });

  it('type-checks in a project that has only what it installs: every type its declarations import is there', async () => {
    // skipLibCheck off: a declaration importing a package that is not installed is an error, not `any`.
    writeFileSync(join(dir, 'consumer.mts'), TYPED_CONSUMER);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, typeRoots: [join(ROOT, 'node_modules/@types')], types: ['node'] },
        files: ['consumer.mts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const checked = await run(process.execPath, [tsc, '-p', dir], { cwd: dir, timeout: 60000 }).catch((error) => error);
    assert.equal(checked.stdout ?? '', '', 'tsc reports nothing');
  });

  it('shares one tracing state between the ESM and CJS builds', async () => {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', DUAL_SCRIPT], { cwd: dir });
    assert.deepEqual(JSON.parse(stdout), { same: true });
  });
});
