// Cold start next to aws-xray-sdk, as a function for bench/cold-start-compare.mjs and
// bench/run.mjs: fresh processes that load and start each setup, timed from spawn to exit (so
// Node's own start-up is in every figure), best of N, runs interleaved. Each process also
// reports the CPU time it used, a secondary figure that moves less on a shared machine.
// express: require express, build an app (+ the tracer's middleware). lambda: the same for a
// handler wrapped for Lambda (an invocation's environment variables set, no invocation).
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const EXPRESS = "const express = require('express'); const app = express();";
export const SETUPS = {
  'express (bare)': `${EXPRESS} app.get('/', (req, res) => res.send('ok'));`,
  'express + aws-xray-sdk': `${EXPRESS} require('aws-xray-sdk-core'); const x = require('aws-xray-sdk-express');
    app.use(x.openSegment('cold')); app.get('/', (req, res) => res.send('ok')); app.use(x.closeSegment());`,
  'express + otel-xray': `${EXPRESS} const { startTracing } = require('otel-xray'); const { xrayTracing } = require('otel-xray/express');
    startTracing({ serviceName: 'cold', flushOnSigterm: false }); app.use(xrayTracing()); app.get('/', (req, res) => res.send('ok'));`,
  'lambda (bare)': "module.exports = async () => 'ok';",
  'lambda + aws-xray-sdk': "const AWSXRay = require('aws-xray-sdk-core'); module.exports = async () => 'ok';",
  'lambda + otel-xray': "const { xrayLambda } = require('otel-xray/lambda'); module.exports = xrayLambda(async () => 'ok');",
};
const KINDS = ['express', 'lambda'];
const LAMBDA_ENV = {
  AWS_LAMBDA_FUNCTION_NAME: 'cold',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
  AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
  AWS_REGION: 'us-east-1',
  _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1',
};
// Printed at exit: the CPU time of the whole process, every thread, start-up included.
const CPU_AT_EXIT = ";process.once('exit', () => { const u = process.cpuUsage(); process.stdout.write('\\ncpu-ms ' + (u.user + u.system) / 1000); });";

function setupEnv(name) {
  const env = { ...process.env, OTEL_LOG_LEVEL: 'error', AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR', AWS_XRAY_LOG_LEVEL: 'silent' };
  return name.startsWith('lambda') ? { ...env, ...LAMBDA_ENV } : env;
}

function run(file, args, env, timeout) {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: root, env, timeout, encoding: 'utf8', maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.slice(0, 3).join(' ')}… failed: ${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}

/** One fresh process: {ms, cpuMs}. */
async function timeOnce(node, name) {
  const started = performance.now();
  const { stdout } = await run(node.path, ['-e', SETUPS[name] + CPU_AT_EXIT], setupEnv(name), 60_000);
  const ms = performance.now() - started;
  return { ms, cpuMs: Number(/cpu-ms ([\d.]+)/.exec(stdout)?.[1]) };
}

/** Instructions of one fresh process under valgrind (callgrind), in millions. */
async function instructionsOnce(node, name) {
  const { stderr } = await run('valgrind', ['--tool=callgrind', '--callgrind-out-file=/dev/null', node.path, '-e', SETUPS[name]], setupEnv(name), 600_000).catch((error) => {
    throw new Error(`valgrind failed (is it installed?): ${error.message}`);
  });
  const collected = /Collected : (\d+)/.exec(stderr);
  if (collected === null) throw new Error(`valgrind printed no instruction count: ${stderr}`);
  return Number(collected[1]) / 1e6;
}

/**
 * Best of `runs` fresh processes per setup, interleaved (one valgrind run each with
 * countInstructions). → {unit, runs, best: {setup: value}, cpuBest: {setup: ms} | undefined}
 */
export async function measureColdStarts({ node, runs = 9, countInstructions = false }) {
  const best = Object.fromEntries(Object.keys(SETUPS).map((name) => [name, Infinity]));
  const cpuBest = { ...best };
  const rounds = countInstructions ? 1 : runs;
  for (let i = 0; i < rounds; i++) {
    for (const name of Object.keys(SETUPS)) {
      if (countInstructions) {
        best[name] = await instructionsOnce(node, name);
        continue;
      }
      const { ms, cpuMs } = await timeOnce(node, name);
      best[name] = Math.min(best[name], ms);
      if (Number.isFinite(cpuMs)) cpuBest[name] = Math.min(cpuBest[name], cpuMs);
    }
  }
  return { unit: countInstructions ? 'M instructions' : 'ms', runs: rounds, best, cpuBest: countInstructions ? undefined : cpuBest };
}

/** What otel-xray and aws-xray-sdk add over the bare setup of one kind, and their ratio. */
export function coldStartAdded(values, kind) {
  const bare = values[`${kind} (bare)`];
  const added = values[`${kind} + otel-xray`] - bare;
  const sdkAdded = values[`${kind} + aws-xray-sdk`] - bare;
  return { added, sdkAdded, ratio: added / sdkAdded };
}

/** A markdown table of one measurement. */
export function coldStartTable(result) {
  const cpu = result.cpuBest !== undefined;
  const lines = [
    `| setup | ${result.unit} | added over bare | × aws-xray-sdk's addition |${cpu ? ' CPU ms | CPU added | CPU × aws-xray-sdk |' : ''}`,
    `|---|---:|---:|---:|${cpu ? '---:|---:|---:|' : ''}`,
  ];
  for (const kind of KINDS) {
    const wall = coldStartAdded(result.best, kind);
    const cpuAdded = cpu ? coldStartAdded(result.cpuBest, kind) : undefined;
    for (const tracer of ['bare', 'aws-xray-sdk', 'otel-xray']) {
      const name = tracer === 'bare' ? `${kind} (bare)` : `${kind} + ${tracer}`;
      const pick = (added) => (tracer === 'bare' ? '–' : tracer === 'aws-xray-sdk' ? added.sdkAdded.toFixed(0) : added.added.toFixed(0));
      const ratio = (added) => (tracer === 'bare' ? '–' : tracer === 'aws-xray-sdk' ? '1.00' : added.ratio.toFixed(2));
      lines.push(
        `| ${name} | ${result.best[name].toFixed(0)} | ${pick(wall)} | ${ratio(wall)} |` +
          (cpu ? ` ${result.cpuBest[name].toFixed(0)} | ${pick(cpuAdded)} | ${ratio(cpuAdded)} |` : ''),
      );
    }
  }
  return lines.join('\n');
}
