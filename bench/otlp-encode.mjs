// Cost of encoding sampled spans as an OTLP/HTTP protobuf request: the SDK's serializer
// (@opentelemetry/otlp-transformer's ProtobufTraceSerializer) next to otel-xray's own.
// The spans are real: express serves GET /users/:id behind otel-xray's middleware, traced by
// startTracing with a capturing exporter, over an in-memory connection; the resource carries
// cloud.* and host.* attributes as the AWS detectors would add them. Each encoder then
// serializes the same batch of 512 spans again and again.
//   node bench/otlp-encode.mjs [--node PATH] [--batches N] [--instructions] [--encoders sdk,ours]
//   µs per span (median of 5 runs); with --instructions, also instructions per span under
//   valgrind callgrind (V8 --single-threaded), the encode loop alone, minus an empty loop.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { announce, countWindowInstructions } from './callgrind-window.mjs';
import { connectInMemory } from './in-memory-connection.mjs';
import { benchNode } from './node-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const BATCH = 512;
/** Batches encoded before counting: enough for V8 to optimize the encoder. */
const WARM_UP_BATCHES = 60;
const ENCODERS = option('--encoders', 'sdk,ours').split(',');

if (args[0] === '--child') {
  await child(args[1], Number(option('--batches', '20')), args.includes('--count'));
} else {
  await main();
}

/** A batch of BATCH server spans as otel-xray makes them, each request a little different. */
async function makeSpans() {
  process.env.OTEL_RESOURCE_ATTRIBUTES ??=
    'cloud.provider=aws,cloud.platform=aws_ec2,cloud.region=eu-west-1,cloud.account.id=123456789012,cloud.availability_zone=eu-west-1a,host.id=i-0123456789abcdef0,host.type=m7g.large,service.version=1.4.2,deployment.environment.name=production';
  const { createRequire } = await import('node:module');
  const http = await import('node:http');
  const require = createRequire(join(root, 'package.json'));
  const { startTracing } = await import('otel-xray');
  const { xrayTracing } = await import('otel-xray/express');
  const spans = [];
  const exporter = { export: (batch, done) => { spans.push(...batch); done({ code: 0 }); }, shutdown: async () => {}, forceFlush: async () => {} };
  const tracing = startTracing({ serviceName: 'orders-api', exporter, sampler: 'always_on', flushOnSigterm: false, outbound: false });
  const app = require('express')();
  app.use(xrayTracing());
  let answered;
  app.get('/users/:id', (req, res) => { res.status(req.params.id.endsWith('7') ? 404 : 200).json({ id: req.params.id, name: 'Ada Lovelace' }); answered(); });
  const server = http.createServer(app);
  const connection = connectInMemory(server, { remoteAddress: '10.0.3.17', localAddress: '10.0.1.5' });
  const agents = ['Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15', 'okhttp/4.12.0', 'curl/8.5.0'];
  for (let i = 0; i < BATCH; i++) {
    const text = `GET /users/${1000 + i}?expand=orders HTTP/1.1\r\nHost: api.example.com\r\nUser-Agent: ${agents[i % agents.length]}\r\nX-Forwarded-For: 203.0.113.${i % 250}\r\nAccept: application/json\r\n\r\n`;
    await new Promise((resolve) => {
      answered = () => setImmediate(resolve);
      connection.push(Buffer.from(text));
    });
  }
  await tracing.forceFlush();
  if (spans.length !== BATCH) throw new Error(`bench: expected ${BATCH} spans, got ${spans.length}`);
  return spans;
}

async function encoder(name) {
  if (name === 'sdk') {
    const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
    return (spans) => ProtobufTraceSerializer.serializeRequest(spans);
  }
  if (name === 'ours') {
    const { OtlpSpanSerializer } = await import('../dist/esm/core/exporters/otlp-span-serializer.js');
    return (spans) => OtlpSpanSerializer.serializeRequest(spans);
  }
  return () => undefined;
}

/** Median µs per span over five runs of `batches` encodings, after a warm-up. */
function microsPerSpan(encode, spans, batches) {
  for (let i = 0; i < batches; i++) encode(spans);
  const runs = [];
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < batches; i++) encode(spans);
    runs.push(Number(process.hrtime.bigint() - start) / 1000 / (batches * spans.length));
  }
  return runs.sort((a, b) => a - b)[2];
}

/** The child: one encoder, timed, or run between callgrind's zeroing and dump when counted. */
async function child(name, batches, counted) {
  const spans = await makeSpans();
  const encode = await encoder(name);
  const bytes = name === 'empty' ? 0 : encode(spans).length;
  if (!counted) {
    process.stdout.write(`${JSON.stringify({ micros: microsPerSpan(encode, spans, batches), bytes })}\n`);
    return;
  }
  for (let i = 0; i < WARM_UP_BATCHES; i++) encode(spans);
  await announce('ready');
  for (let i = 0; i < batches; i++) encode(spans);
  await announce('done');
  process.exit(0);
}

function runChild(node, name, batches) {
  const result = spawnSync(node.path, [fileURLToPath(import.meta.url), '--child', name, '--batches', String(batches)], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`bench child ${name} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop());
}

/** Instructions of `batches` encodings of one batch: counters zeroed right before, dumped right after. */
function countInstructions(node, name, batches) {
  const scriptArgs = ['--child', name, '--batches', String(batches), '--count'];
  return countWindowInstructions({ node, script: fileURLToPath(import.meta.url), scriptArgs, cwd: root, label: name, keep: args.includes('--keep') });
}

async function main() {
  const node = benchNode(args);
  const batches = Number(option('--batches', '200'));
  console.log(`OTLP protobuf encoding of ${BATCH} otel-xray server spans per batch, Node ${node.version}:\n`);
  const rows = {};
  for (const name of ENCODERS) rows[name] = runChild(node, name, batches);
  if (args.includes('--instructions')) {
    const counted = Number(option('--counted-batches', '20'));
    const empty = await countInstructions(node, 'empty', counted);
    for (const name of ENCODERS) {
      rows[name].instructions = ((await countInstructions(node, name, counted)) - empty) / (counted * BATCH);
    }
  }
  console.log('| encoder | µs per span | instructions per span | bytes per batch |\n|---|---:|---:|---:|');
  for (const name of ENCODERS) {
    const { micros, instructions, bytes } = rows[name];
    console.log(`| ${name === 'sdk' ? 'SDK ProtobufTraceSerializer' : 'otel-xray OtlpSpanSerializer'} | ${micros.toFixed(3)} | ${instructions === undefined ? '–' : Math.round(instructions)} | ${bytes} |`);
  }
}
