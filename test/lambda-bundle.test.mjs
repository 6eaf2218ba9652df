// The Lambda handler bundled by esbuild, run in its own process the way Lambda runs it: the
// X-Ray daemon address as Lambda sets it, the invocation's _X_AMZN_TRACE_ID, and the process
// stopped the moment the handler's promise resolves (as Lambda freezes it). The segment must
// already be on its way to the daemon by then.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_ENV, apiGatewayV2Event } from './support/lambda-events.mjs';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const FUNCTION_SEGMENT = '8a3c60f7d188f8fa';

let dir;
let bundle;
let daemon;
const datagrams = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'otel-xray-lambda-'));
  bundle = join(dir, 'index.js');
  await build({
    entryPoints: [fileURLToPath(new URL('./support/lambda-bundle-app.mjs', import.meta.url))],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'silent',
  });
  daemon = dgram.createSocket('udp4');
  daemon.on('message', (message) => datagrams.push(message.toString('utf8')));
  await new Promise((resolve) => daemon.bind(0, '127.0.0.1', resolve));
});

after(async () => {
  daemon?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Runs the bundle's handler once in a fresh process that exits as soon as the handler resolves. */
function invokeBundle(event, env) {
  const script = `
    const { handler } = require(process.env.BUNDLE);
    const context = { awsRequestId: 'bundle-test', getRemainingTimeInMillis: () => 30000 };
    handler(JSON.parse(process.env.EVENT), context).then(
      (result) => { process.stdout.write(JSON.stringify(result)); process.exit(0); },
      (error) => { process.stderr.write(String(error && error.stack)); process.exit(1); },
    );`;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { env: { ...process.env, ...env, BUNDLE: bundle, EVENT: JSON.stringify(event) }, timeout: 30_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(JSON.parse(stdout));
    });
  });
}

it('bundled by esbuild: the segment reaches the daemon before the handler returns, as a child of the function segment', async () => {
  const result = await invokeBundle(apiGatewayV2Event('/orders/77', `Root=${ROOT}`), {
    ...LAMBDA_ENV,
    OTEL_TRACES_EXPORTER: 'xray-daemon',
    OTEL_SERVICE_NAME: 'orders-api',
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=${FUNCTION_SEGMENT};Sampled=1;Lineage=1:d2b0e4b0:0`,
  });
  assert.equal(result.statusCode, 200);
  assert.deepEqual(JSON.parse(result.body), { id: '77' });
  // The sender has exited; give the local socket a bounded moment to hand over what was sent.
  for (let i = 0; i < 100 && datagrams.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(datagrams.length, 1, 'one segment was sent before the process stopped');
  const [header, body] = datagrams[0].split('\n');
  assert.deepEqual(JSON.parse(header), { format: 'json', version: 1 });
  const segment = JSON.parse(body);
  assert.equal(segment.trace_id, ROOT);
  assert.equal(segment.parent_id, FUNCTION_SEGMENT);
  assert.equal(segment.name, 'orders-api');
  assert.equal(segment.http?.response?.status, 200);
});
