// Cold start next to aws-xray-sdk: fresh processes that load and start each setup, timed from
// spawn to exit (so Node's own start-up is in every figure), best of N, runs interleaved.
//   node bench/cold-start-compare.mjs [--runs 9] [--node PATH] [--instructions]
// --instructions counts each setup's instructions once under valgrind (callgrind) instead:
// about 30 s a setup, but the count barely moves when other processes share the cores.
// express: require express, build an app (+ the tracer's middleware). lambda: the same for a
// handler wrapped for Lambda (an invocation's environment variables set, no invocation).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchNode } from './node-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const node = benchNode(args);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 9;

const EXPRESS = "const express = require('express'); const app = express();";
const SETUPS = {
  'express (bare)': `${EXPRESS} app.get('/', (req, res) => res.send('ok'));`,
  'express + aws-xray-sdk': `${EXPRESS} require('aws-xray-sdk-core'); const x = require('aws-xray-sdk-express');
    app.use(x.openSegment('cold')); app.get('/', (req, res) => res.send('ok')); app.use(x.closeSegment());`,
  'express + otel-xray': `${EXPRESS} const { startTracing } = require('otel-xray'); const { xrayTracing } = require('otel-xray/express');
    startTracing({ serviceName: 'cold', flushOnSigterm: false }); app.use(xrayTracing()); app.get('/', (req, res) => res.send('ok'));`,
  'lambda (bare)': "module.exports = async () => 'ok';",
  'lambda + aws-xray-sdk': "const AWSXRay = require('aws-xray-sdk-core'); module.exports = async () => 'ok';",
  'lambda + otel-xray': "const { xrayLambda } = require('otel-xray/lambda'); module.exports = xrayLambda(async () => 'ok');",
};
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'cold',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_REGION: 'us-east-1',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
};
const env = {
  ...process.env,
  OTEL_LOG_LEVEL: 'error',
  AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  AWS_XRAY_LOG_LEVEL: 'silent',
};

function instructions(code, env) {
  const result = spawnSync('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', node.path, '-e', code], { cwd: root, env, encoding: 'utf8', timeout: 600_000 });
  const collected = /Collected : (\d+)/.exec(result.stderr ?? '');
  if (result.status !== 0 || collected === null) throw new Error(`valgrind failed (is it installed?): ${result.error?.message ?? result.stderr}`);
  return Number(collected[1]);
}

const countInstructions = args.includes('--instructions');
const best = Object.fromEntries(Object.keys(SETUPS).map((name) => [name, Infinity]));
for (let i = 0; i < (countInstructions ? 1 : runs); i++) {
  for (const [name, code] of Object.entries(SETUPS)) {
    const setupEnv = name.startsWith('lambda') ? { ...env, ...LAMBDA_ENV } : env;
    if (countInstructions) {
      best[name] = instructions(code, setupEnv) / 1e6;
      continue;
    }
    const started = performance.now();
    const result = spawnSync(node.path, ['-e', code], { cwd: root, env: setupEnv, timeout: 60_000 });
    const ms = performance.now() - started;
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
    best[name] = Math.min(best[name], ms);
  }
}
const unit = countInstructions ? 'M instructions' : 'ms';
console.log(
  countInstructions
    ? `Cold start on Node ${node.version}, instructions of one fresh process (valgrind callgrind, all threads):\n`
    : `Cold start on Node ${node.version}, best of ${runs} fresh processes (spawn to exit):\n`,
);
console.log(`| setup | ${unit} | added over bare | × aws-xray-sdk's addition |\n|---|---:|---:|---:|`);
for (const [name, value] of Object.entries(best)) {
  const kind = name.startsWith('lambda') ? 'lambda' : 'express';
  const added = value - best[`${kind} (bare)`];
  const sdkAdded = best[`${kind} + aws-xray-sdk`] - best[`${kind} (bare)`];
  const bare = name.includes('bare');
  console.log(`| ${name} | ${value.toFixed(0)} | ${bare ? '–' : added.toFixed(0)} | ${bare ? '–' : (added / sdkAdded).toFixed(2)} |`);
}
