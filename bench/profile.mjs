// Profiles one benchmark server under load: writes bench/profiles/<framework>-<variant>.cpuprofile
// and prints where its CPU time went (self time, idle excluded).
//   node bench/profile.mjs fastify xray-unsampled [seconds] [--node PATH]   (or BENCH_NODE=PATH)
import { fork, execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { startOtlpReceiver } from '../test/support/reliability-receivers.mjs';
import { benchNode } from './node-binary.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const node = benchNode(process.argv.slice(2));
const [framework = 'fastify', variant = 'xray', seconds = '5'] = process.argv.slice(2).filter((a, i, all) => a !== '--node' && all[i - 1] !== '--node' && !a.startsWith('--node='));
const name = `${framework}-${variant}`;
const otlp = await startOtlpReceiver({ full: false });
const child = fork(join(here, 'server.mjs'), [framework, variant, otlp.url(), '9'], {
  execPath: node.path,
  execArgv: ['--cpu-prof', `--cpu-prof-dir=${join(here, 'profiles')}`, `--cpu-prof-name=${name}.cpuprofile`],
  env: { ...process.env, OTEL_LOG_LEVEL: 'error' },
});
const port = await new Promise((resolve) => child.on('message', (m) => m.ready && resolve(m.port)));
const url = `http://127.0.0.1:${port}/users/42`;
await autocannon({ url, connections: 16, duration: 1 });
const result = await autocannon({ url, connections: 16, duration: Math.min(Number(seconds), 30) });
console.log(`${name} on Node ${node.version}: ${Math.round(result.requests.total / result.duration)} req/s`);
child.send({ cmd: 'exit' });
await new Promise((resolve) => child.once('exit', resolve));
await otlp.close();
console.log(execFileSync(process.execPath, [join(here, 'profile-summary.mjs'), join(here, 'profiles', `${name}.cpuprofile`), '40'], { encoding: 'utf8' }));
