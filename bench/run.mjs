// Side-by-side benchmark: express, fastify and koa, bare and traced by otel-xray (sampled and
// unsampled), by OpenTelemetry's own instrumentation and (express) by aws-xray-sdk, all on
// 127.0.0.1, measured the way the project's performance issue states its targets: 3 rounds of
// 5 s per server, 10 connections, GET /users/:id, every server pinned to one core and the load
// generator (autocannon, another process) to another. Loads alternate bare, A, bare, B, … so
// neighbours in time compare: the Targets block sets each load against the bare loads right
// before and after it (the median over the rounds), and the table shows the best rounds too.
// Each target as a ratio, PASS or MISS, cold start against aws-xray-sdk included.
//   node bench/run.mjs [--quick] [--profile] [--floor] [--in-process] [--instructions]
//                      [--framework=express] [--variants=als,xray] [--node PATH]
// --node PATH (or BENCH_NODE=PATH) runs the servers and the cold starts on that Node binary;
// the harness and the load generator stay on the Node that runs this file.
// --floor adds a variant with one AsyncLocalStorage scope per request and nothing else: the
// cost every context-carrying tracer pays before it creates a span.
// --in-process adds bench/request-cost.mjs and bench/annotation-cost.mjs (about 40 s more).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver, startUdpReceiver } from '../test/support/reliability-receivers.mjs';
import { coldStartTable, measureColdStarts } from './cold-start-measure.mjs';
import { movePid, onCores, planCores } from './cores.mjs';
import { ipcChild } from './ipc-child.mjs';
import { benchNode } from './node-binary.mjs';
import { bareSpread, summarize, table, targets } from './run-report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const floor = args.includes('--floor');
const inProcess = args.includes('--in-process');
// --instructions: also count user-space instructions per request with `perf stat` (Linux);
// unlike time, an instruction count barely moves when other processes share the cores.
const countInstructions = args.includes('--instructions');
const node = benchNode(args);
const onlyFramework = args.find((a) => a.startsWith('--framework='))?.split('=')[1];

const config = quick
  ? { rounds: 1, duration: 1, warmup: 1, connections: 10, coldRuns: 3 }
  : { rounds: 3, duration: 5, warmup: 2, connections: 10, coldRuns: 9 };

const FRAMEWORKS = {
  express: ['xray', 'xray-unsampled', 'otel', 'xray-sdk'],
  fastify: ['xray', 'xray-unsampled', 'otel'],
  koa: ['xray', 'xray-unsampled', 'otel'],
};
if (floor) for (const variants of Object.values(FRAMEWORKS)) variants.unshift('als');
// --variants=a,b picks variants by name (bare always runs), for narrowing down a cost.
const picked = args.find((a) => a.startsWith('--variants='))?.split('=')[1]?.split(',');
if (picked !== undefined) for (const framework of Object.keys(FRAMEWORKS)) FRAMEWORKS[framework] = picked;
for (const framework of Object.keys(FRAMEWORKS)) if (onlyFramework !== undefined && framework !== onlyFramework) delete FRAMEWORKS[framework];

// Loads per round: bare before and after each variant. The whole run has a hard limit, 1.3× the plan.
const loadsPerRound = Object.values(FRAMEWORKS).reduce((n, variants) => n + 2 * variants.length + 1, 0);
const servers = Object.values(FRAMEWORKS).reduce((n, variants) => n + variants.length + 1, 0);
const plannedSeconds =
  servers * (config.warmup + 0.5) + config.rounds * loadsPerRound * (config.duration + 0.3) + config.coldRuns * 6 + (inProcess ? 60 : 0) + 10;
const LIMIT_MS = Math.max(180, Math.ceil(plannedSeconds * 1.3)) * 1000;
setTimeout(() => {
  console.error(`bench: stopped after ${LIMIT_MS / 1000} s`);
  process.exit(1); // children exit on their IPC 'disconnect'
}, LIMIT_MS).unref();

const cores = planCores();

async function startServers(otlp, udp) {
  const execArgv = (name) => (profile ? ['--cpu-prof', `--cpu-prof-dir=${join(here, 'profiles')}`, `--cpu-prof-name=${name}.cpuprofile`] : []);
  if (profile) mkdirSync(join(here, 'profiles'), { recursive: true });
  const env = {
    ...process.env,
    OTEL_SERVICE_NAME: 'bench',
    OTEL_LOG_LEVEL: 'error',
    OTEL_NODE_RESOURCE_DETECTORS: 'env',
    AWS_XRAY_DAEMON_ADDRESS: udp.address,
    AWS_XRAY_CONTEXT_MISSING: 'IGNORE_ERROR',
  };
  const started = [];
  for (const [framework, variants] of Object.entries(FRAMEWORKS)) {
    for (const variant of ['bare', ...variants]) {
      const path = `/${framework}/${variant}/v1/traces`;
      const serverArgs = [...execArgv(`${framework}-${variant}`), join(here, 'server.mjs'), framework, variant, otlp.url(path), String(udp.port)];
      const ipc = ipcChild(...onCores(cores, cores.server, node.path, serverArgs), { env });
      started.push({ framework, variant, path, ipc, loads: [] });
    }
  }
  for (const server of started) server.url = `http://127.0.0.1:${(await server.ipc.ready).port}/users/42`;
  return started;
}

/** `perf stat` on a process until stop() is called; resolves the user-space instruction count (NaN without perf). */
function perfStat(pid) {
  const perf = spawn('perf', ['stat', '-x', ',', '-e', 'instructions:u', '-p', String(pid)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let output = '';
  perf.stderr.on('data', (chunk) => (output += chunk));
  const done = new Promise((resolve) => {
    perf.once('error', () => resolve(NaN));
    perf.once('exit', () => resolve(Number(output.split('\n').find((line) => line.includes('instructions'))?.split(',')[0])));
  });
  const started = new Promise((resolve) => setTimeout(resolve, 100));
  return { started, stop: () => (perf.kill('SIGINT'), done) };
}

let load;
async function runLoad(server, duration) {
  const perf = countInstructions ? perfStat(server.ipc.child.pid) : undefined;
  await perf?.started;
  const before = await server.ipc.request({ cmd: 'stats' });
  const result = await load.request({ url: server.url, connections: config.connections, duration });
  const after = await server.ipc.request({ cmd: 'stats' });
  const instructions = (await perf?.stop()) ?? NaN;
  const handled = after.handled - before.handled;
  const cpuMicros = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
  return {
    rps: result.total / result.seconds,
    p99: result.p99,
    failures: result.non2xx + result.errors,
    cpuPerRequest: handled > 0 ? cpuMicros / handled : NaN,
    // Includes the 100 ms before the load, when the server idles (a few hundred thousand instructions).
    instructionsPerRequest: handled > 0 ? instructions / handled : NaN,
  };
}

/** Rounds of interleaved loads; then every server's spans delivered per request handled. */
async function measureThroughput(all, otlp, udp, started) {
  console.log(`warming up ${all.length} servers…`);
  for (const server of all) await runLoad(server, config.warmup);
  const baseline = new Map();
  for (const server of all) {
    await server.ipc.request({ cmd: 'flush' });
    baseline.set(server, (await server.ipc.request({ cmd: 'stats' })).handled);
  }
  otlp.reset();
  udp.reset();

  for (let round = 0; round < config.rounds; round++) {
    for (const framework of Object.keys(FRAMEWORKS)) {
      const group = all.filter((s) => s.framework === framework);
      const bare = group.find((s) => s.variant === 'bare');
      const variants = group.filter((s) => s !== bare);
      // Rotate the order each round so no variant always follows the same neighbour.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]);
      let bareBefore = await runLoad(bare, config.duration);
      bare.loads.push(bareBefore);
      for (const server of order) {
        const load = await runLoad(server, config.duration);
        const bareAfter = await runLoad(bare, config.duration);
        // The bare loads just before and after: the machine's speed at the time of this load.
        load.bareNeighbours = [bareBefore, bareAfter];
        server.loads.push(load);
        bare.loads.push(bareAfter);
        bareBefore = bareAfter;
      }
      console.log(`round ${round + 1}/${config.rounds} ${framework} done (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  }

  for (const server of all) {
    await server.ipc.request({ cmd: 'flush' });
    const handled = (await server.ipc.request({ cmd: 'stats' })).handled - baseline.get(server);
    // SERVER spans at the receiver (OTel's own instrumentations also make INTERNAL spans), segments for the SDK.
    const delivered = server.variant === 'xray-sdk' ? udp.segments : (otlp.counts.get(server.path)?.server ?? 0);
    server.spansPerRequest = delivered / handled;
  }
}

const load1 = () => loadavg()[0].toFixed(2);

async function main() {
  const started = Date.now();
  const loadBefore = load1();
  console.log(
    `bench on Node ${node.version}: ${config.rounds} round(s) × ${config.duration} s per server, ${config.connections} connections; ` +
      `about ${Math.round(plannedSeconds / 60)} min (stops after ${LIMIT_MS / 1000} s).\n${cores.note}`,
  );
  // Off the server's core: the harness, and with it the receivers the sampled servers export to.
  movePid(cores, process.pid, cores.harness);
  const otlp = await startOtlpReceiver({ full: false });
  const udp = await startUdpReceiver({ full: false });
  load = ipcChild(...onCores(cores, cores.load, process.execPath, [join(here, 'load.mjs')]));
  const all = await startServers(otlp, udp);
  await load.ready;
  try {
    await measureThroughput(all, otlp, udp, started);
  } finally {
    await Promise.all([...all.map((server) => server.ipc.stop()), load.stop()]);
    await otlp.close();
    await udp.close();
  }
  // Fresh processes may use every core again, as they would when deployed.
  movePid(cores, process.pid, cores.all);
  console.log(`cold start, best of ${config.coldRuns} fresh processes per setup…`);
  const cold = await measureColdStarts({ node, runs: config.coldRuns });
  const summary = summarize(all);
  const output = [
    `Throughput on Node ${node.version}, ${new Date().toISOString().slice(0, 10)}: ${config.rounds} round(s) × ${config.duration} s per server, ` +
      `${config.connections} connections. "best rounds": a server's best round ÷ bare's best load (bare runs between every two variants); ` +
      `"neighbours": each round ÷ the bare loads right before and after it, median over the rounds (what the targets use). ${cores.note}`,
    '',
    table(summary, { countInstructions }),
    '',
    `Cold start on Node ${node.version}, best of ${config.coldRuns} fresh processes (spawn to exit; CPU: the process's own user + system time):`,
    '',
    coldStartTable(cold),
  ];
  if (inProcess) {
    // otel-xray's own work per request, without network, framework or export (a fresh process).
    for (const script of ['request-cost.mjs', 'annotation-cost.mjs']) {
      output.push('', execFileSync(node.path, [join(here, script)], { encoding: 'utf8', timeout: 120_000 }).trimEnd());
    }
  }
  output.push(
    '',
    `Targets (Node ${node.version}):`,
    targets(summary, cold),
    '',
    `Noise: bare req/s moved ${bareSpread(summary)} between its loads (best − worst ÷ best); 1-min load average ${loadBefore} at the start, ${load1()} at the end, on ${availableParallelism()} core(s).`,
  );
  if (quick) output.push('--quick runs one short round and 3 cold starts: read its verdicts as a smoke test, not a measurement.');
  output.push(`finished in ${Math.round((Date.now() - started) / 1000)} s`);
  console.log(`\n${output.join('\n')}`);
}

await main();
