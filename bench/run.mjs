// Side-by-side benchmark: express, fastify and koa, bare and traced by otel-xray (sampled and
// unsampled), by OpenTelemetry's own instrumentation and (express) by aws-xray-sdk, all on
// 127.0.0.1. Each variant is a separate server process; autocannon runs in another process;
// loads are interleaved (bare, A, bare, B, …) so each ratio compares neighbours in time.
//   node bench/run.mjs [--quick] [--profile] [--floor] [--framework=express] [--variants=als,xray] [--node PATH]
// --node PATH (or BENCH_NODE=PATH) runs the servers, the cold starts and request-cost.mjs on
// that Node binary; the harness and the load generator stay on the Node that runs this file.
// --floor adds a variant with one AsyncLocalStorage scope per request and nothing else: the
// cost every context-carrying tracer pays before it creates a span.
import { fork, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOtlpReceiver, startUdpReceiver } from '../test/support/reliability-receivers.mjs';
import { benchNode } from './node-binary.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const profile = args.includes('--profile');
const floor = args.includes('--floor');
// --instructions: also count user-space instructions per request with `perf stat` (Linux);
// unlike time, an instruction count barely moves when other processes share the cores.
const countInstructions = args.includes('--instructions');
const node = benchNode(args);
const onlyFramework = args.find((a) => a.startsWith('--framework='))?.split('=')[1];

const config = quick
  ? { rounds: 1, duration: 1, warmup: 1, connections: 16, coldRuns: 3 }
  : { rounds: 5, duration: 2, warmup: 2, connections: 16, coldRuns: 7 };

const FRAMEWORKS = {
  express: ['xray', 'xray-unsampled', 'otel', 'xray-sdk'],
  fastify: ['xray', 'xray-unsampled', 'otel'],
  koa: ['xray', 'xray-unsampled', 'otel'],
};
if (floor) for (const variants of Object.values(FRAMEWORKS)) variants.unshift('als');
// --variants=a,b picks variants by name (bare always runs), for narrowing down a cost.
const picked = args.find((a) => a.startsWith('--variants='))?.split('=')[1]?.split(',');
if (picked !== undefined) for (const framework of Object.keys(FRAMEWORKS)) FRAMEWORKS[framework] = picked;
const LABELS = {
  bare: 'bare (no tracing)',
  als: 'bare + AsyncLocalStorage.run (floor)',
  'xray-idle': 'otel-xray started, no middleware',
  xray: 'otel-xray, sampled (OTLP)',
  'xray-unsampled': 'otel-xray, unsampled',
  otel: 'OpenTelemetry instrumentation',
  'xray-sdk': 'aws-xray-sdk-express (UDP)',
};
const PEERS = { express: '-http + -express', fastify: '-http + @fastify/otel', koa: '-http + -koa' };

const median = (values) => {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** A child process with request/response over IPC. */
function ipcChild(script, argv, options) {
  const child = fork(join(here, script), argv, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...options });
  let nextId = 0;
  const pending = new Map();
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    child.once('exit', (code) => reject(new Error(`${script} ${argv.join(' ')} exited with ${code} before it was ready`)));
  });
  child.on('message', (message) => {
    if (message.ready) onReady(message);
    else pending.get(message.id)?.(message);
  });
  return {
    child,
    ready,
    request(message) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, (reply) => {
          pending.delete(id);
          resolve(reply);
        });
        child.send({ ...message, id });
      });
    },
  };
}

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
  const servers = [];
  for (const [framework, variants] of Object.entries(FRAMEWORKS)) {
    if (onlyFramework !== undefined && framework !== onlyFramework) continue;
    for (const variant of ['bare', ...variants]) {
      const path = `/${framework}/${variant}/v1/traces`;
      const ipc = ipcChild('server.mjs', [framework, variant, otlp.url(path), String(udp.port)], {
        env,
        execPath: node.path,
        execArgv: execArgv(`${framework}-${variant}`),
      });
      servers.push({ framework, variant, path, ipc, loads: [] });
    }
  }
  for (const server of servers) server.url = `http://127.0.0.1:${(await server.ipc.ready).port}/users/42`;
  return servers;
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

function coldStart(mode, env) {
  const out = execFileSync(node.path, [join(here, 'cold-start.mjs'), mode], { env, encoding: 'utf8', timeout: 30_000 });
  return JSON.parse(out.trim().split('\n').pop());
}

async function measureColdStart(otlp) {
  const env = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url(''),
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    // Cloud detectors would query instance metadata endpoints; only local detectors here.
    OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process',
    OTEL_LOG_LEVEL: 'error',
  };
  const samples = { none: [], 'otel-xray': [], 'otel-auto': [] };
  for (let i = 0; i < config.coldRuns; i++) for (const mode of Object.keys(samples)) samples[mode].push(coldStart(mode, env));
  const summary = {};
  for (const [mode, runs] of Object.entries(samples)) {
    summary[mode] = { setupMs: median(runs.map((r) => r.setupMs)), readyMs: median(runs.map((r) => r.readyMs)) };
  }
  return summary;
}

const fmt = (value, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function report(servers, coldStart) {
  const lines = [];
  const verdicts = [];
  lines.push(
    `${config.rounds} round(s) × ${config.duration} s per load, ${config.connections} connections, interleaved with bare; ` +
      `Node ${node.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    `| framework | variant | req/s (median) | × bare | p99 ms | CPU µs/req | over bare µs/req | spans/req |${countInstructions ? ' k instr/req | over bare |' : ''}`,
    `|---|---|---:|---:|---:|---:|---:|---:|${countInstructions ? '---:|---:|' : ''}`,
  );
  for (const framework of Object.keys(FRAMEWORKS)) {
    const group = servers.filter((s) => s.framework === framework);
    if (group.length === 0) continue;
    const bare = group.find((s) => s.variant === 'bare');
    const bareCpu = median(bare.loads.map((l) => l.cpuPerRequest));
    const bareInstructions = median(bare.loads.map((l) => l.instructionsPerRequest));
    const ratios = {};
    for (const server of group) {
      const ratio = server.variant === 'bare' ? 1 : median(server.loads.map((l) => l.ratio));
      ratios[server.variant] = ratio;
      const cpu = median(server.loads.map((l) => l.cpuPerRequest));
      const instructions = median(server.loads.map((l) => l.instructionsPerRequest));
      const failures = server.loads.reduce((n, l) => n + l.failures, 0);
      const spans = server.variant === 'bare' || server.variant === 'als' ? '–' : fmt(server.spansPerRequest, 2);
      const label = server.variant === 'otel' ? `${LABELS.otel} (${PEERS[framework]})` : LABELS[server.variant];
      lines.push(
        `| ${framework} | ${label}${failures ? ` (${failures} failed)` : ''} | ${fmt(median(server.loads.map((l) => l.rps)))} | ` +
          `${fmt(ratio, 2)} | ${fmt(median(server.loads.map((l) => l.p99)), 1)} | ${fmt(cpu, 1)} | ` +
          `${server.variant === 'bare' ? '–' : fmt(cpu - bareCpu, 1)} | ${spans} |` +
          (countInstructions ? ` ${fmt(instructions / 1000)} | ${server.variant === 'bare' ? '–' : fmt((instructions - bareInstructions) / 1000)} |` : ''),
      );
    }
    const peers = Object.keys(ratios).filter((v) => v === 'otel' || v === 'xray-sdk');
    const check = (ok, text) => verdicts.push(`${ok ? 'PASS' : 'MISS'} ${framework}: ${text}`);
    if ('xray' in ratios) check(ratios.xray >= 0.9, `sampled ${fmt(ratios.xray, 2)}× bare (target ≥ 0.90)`);
    if ('xray-unsampled' in ratios) check(ratios['xray-unsampled'] >= 0.97, `unsampled ${fmt(ratios['xray-unsampled'], 2)}× bare (target ≥ 0.97)`);
    for (const peer of peers) check(ratios.xray > ratios[peer], `sampled ${fmt(ratios.xray, 2)}× vs ${peer} ${fmt(ratios[peer], 2)}×`);
    for (const server of group) {
      if (server.variant === 'bare' || server.variant === 'xray-unsampled' || server.variant === 'als') continue;
      check(Math.abs(server.spansPerRequest - 1) < 0.005, `${server.variant} delivered ${fmt(server.spansPerRequest, 3)} server spans per request`);
    }
  }
  if (coldStart !== undefined) {
    lines.push(
      '',
      `Cold start (fresh process, median of ${config.coldRuns}):`,
      '',
      '| setup | import + start ms | process ready ms |',
      '|---|---:|---:|',
      `| nothing (Node alone) | – | ${fmt(coldStart.none.readyMs, 1)} |`,
      `| otel-xray/express + startTracing() | ${fmt(coldStart['otel-xray'].setupMs, 1)} | ${fmt(coldStart['otel-xray'].readyMs, 1)} |`,
      `| @opentelemetry/auto-instrumentations-node/register | ${fmt(coldStart['otel-auto'].setupMs, 1)} | ${fmt(coldStart['otel-auto'].readyMs, 1)} |`,
    );
  }
  return { table: lines.join('\n'), verdicts };
}

// A hung child must not hang the run: every load is timed, and so is the whole.
const LIMIT_MS = quick ? 120_000 : 600_000;
setTimeout(() => {
  console.error(`bench: stopped after ${LIMIT_MS / 1000} s`);
  process.exit(1); // children exit on their IPC 'disconnect'
}, LIMIT_MS).unref();

async function main() {
  const started = Date.now();
  const otlp = await startOtlpReceiver({ full: false });
  const udp = await startUdpReceiver({ full: false });
  load = ipcChild('load.mjs', []);
  const servers = await startServers(otlp, udp);
  await load.ready;
  try {
    console.log(`warming up ${servers.length} servers…`);
    for (const server of servers) await runLoad(server, config.warmup);
    const baseline = new Map();
    for (const server of servers) {
      await server.ipc.request({ cmd: 'flush' });
      baseline.set(server, (await server.ipc.request({ cmd: 'stats' })).handled);
    }
    otlp.reset();
    udp.reset();

    for (let round = 0; round < config.rounds; round++) {
      for (const framework of Object.keys(FRAMEWORKS)) {
        const group = servers.filter((s) => s.framework === framework);
        if (group.length === 0) continue;
        const bare = group.find((s) => s.variant === 'bare');
        const variants = group.filter((s) => s !== bare);
        // Rotate the order each round so no variant always follows the same neighbour.
        const order = variants.map((_, i) => variants[(i + round) % variants.length]);
        let previousBare = await runLoad(bare, config.duration);
        bare.loads.push(previousBare);
        for (const server of order) {
          const result = await runLoad(server, config.duration);
          const nextBare = await runLoad(bare, config.duration);
          bare.loads.push(nextBare);
          result.ratio = result.rps / ((previousBare.rps + nextBare.rps) / 2);
          server.loads.push(result);
          previousBare = nextBare;
        }
        process.stdout.write(`round ${round + 1}/${config.rounds} ${framework} done (${Math.round((Date.now() - started) / 1000)} s)\n`);
      }
    }

    for (const server of servers) {
      await server.ipc.request({ cmd: 'flush' });
      const handled = (await server.ipc.request({ cmd: 'stats' })).handled - baseline.get(server);
      // SERVER spans at the receiver (OTel's own instrumentations also make INTERNAL spans), segments for the SDK.
      const delivered = server.variant === 'xray-sdk' ? udp.segments : (otlp.counts.get(server.path)?.server ?? 0);
      server.spansPerRequest = delivered / handled;
    }
    const cold = await measureColdStart(otlp);
    const { table, verdicts } = report(servers, cold);
    // otel-xray's own work per request, without network, framework or export (a fresh process).
    const requestCost = ['request-cost.mjs', 'annotation-cost.mjs'].map((script) => execFileSync(node.path, [join(here, script)], { encoding: 'utf8', timeout: 120_000 })).join('\n');
    console.log(`\n${table}\n\n${requestCost}\n${verdicts.join('\n')}\n\nfinished in ${Math.round((Date.now() - started) / 1000)} s`);
  } finally {
    await Promise.all(
      servers.map(
        (server) =>
          new Promise((resolve) => {
            const timer = setTimeout(() => server.ipc.child.kill(), 5000);
            server.ipc.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (server.ipc.child.connected) server.ipc.child.send({ cmd: 'exit' });
            else server.ipc.child.kill();
          }),
      ),
    );
    load.child.disconnect();
    await otlp.close();
    await udp.close();
  }
}

await main();
