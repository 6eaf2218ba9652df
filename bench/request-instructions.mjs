// Instructions per request, counted under valgrind (callgrind): a figure that barely moves when
// other processes share the cores, unlike µs or req/s. Each framework serves GET /users/:id
// bare, traced unsampled (always_off), traced sampled (a no-op exporter behind the usual batch
// processor, so the request path and the hand-over are counted, not the export) and, on request,
// exported (sampled, with the default OTLP exporter posting each batch to a receiver in the
// harness's process: encoding and the HTTP client are counted, the receiver is not), headerless
// (unsampled with `responseHeader: false`: what the X-Amzn-Trace-Id response header costs) and
// floor (one context and AsyncLocalStorage scope per request, nothing else).
// Requests go over one keep-alive loopback TCP connection from a raw socket in the same process
// (it writes the request bytes and drops the answer: a few hundred instructions, the same in every
// variant). Not an in-memory stream: the server's socket must be a net.Socket, as in production.
// With a stream in its place, the exporter's own socket was the only net.Socket in the process and
// made Node's stream code polymorphic for the server too: that counted 12k per request against
// the export that a real server never pays (export with a loopback socket: +2.0k; with a stream: +14k).
// V8 runs --single-threaded: with background compiler threads the count would
// depend on when they got the CPU, that is on the machine's load. After a warm-up the counters are zeroed, N requests run, and the counts
// are dumped; the table shows the traced variants' addition over bare, and a second one the same
// without the instructions V8's garbage collector ran in the window (callgrind-collection.mjs).
//   node bench/request-instructions.mjs [--node PATH] [--requests N] [--only express,koa] [--variants bare,floor,unsampled,headerless,sampled,exported] [--warm-up N]
//   (about 3 minutes per framework and variant; needs valgrind)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectionInstructions } from './callgrind-collection.mjs';
import { announce, countWindowInstructions } from './callgrind-window.mjs';
import { benchNode } from './node-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const FRAMEWORKS = option('--only', 'express,fastify,koa').split(',');
const VARIANTS = option('--variants', 'bare,unsampled,sampled').split(',');
const REQUESTS = Number(option('--requests', '5000'));
// Enough requests for V8 to have optimized the request path: with fewer, its compiler still runs
// in the counted window. On Node 24, koa's bare count fell from 287k (5000 warm-up, 2000 counted)
// to 227k (20000, 5000), and the same variant counted twice then agreed within 0.5k.
const WARM_UP = Number(option('--warm-up', '20000'));

/** Each variant's window, by `framework variant`: its full and young-generation collections, and the instructions the collector ran. */
const windows = {};

if (args[0] === '--serve') {
  await serve(args[1], args[2]);
} else {
  await main();
}

/** The child: one framework and variant, driven over a loopback connection. */
async function serve(framework, variant) {
  const { createRequire } = await import('node:module');
  const http = await import('node:http');
  const require = createRequire(join(root, 'package.json'));
  if (variant !== 'bare') {
    const { startTracing } = await import('otel-xray');
    const sampled = variant === 'sampled' || variant === 'exported';
    // exported: the default OTLP exporter, to the harness's receiver; the others: a no-op exporter.
    const exporter = variant === 'exported'
      ? { endpoint: process.env.BENCH_OTLP_URL }
      : { exporter: { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} } };
    startTracing({ serviceName: 'bench', ...exporter, sampler: sampled ? 'parentbased_always_on' : 'always_off', flushOnSigterm: false, outbound: false });
  }
  const user = (id) => ({ id, name: 'Ada Lovelace', email: 'ada@example.com', active: true });
  // floor: tracing started (unsampled), and a middleware that only makes one context holding a
  // span and runs the request in it: the part of any context-carrying tracer's cost that
  // otel-xray cannot remove.
  const floor = variant === 'floor' ? await floorScope() : undefined;
  const options = variant === 'headerless' ? { responseHeader: false } : {};
  let answered;
  let handler;
  if (framework === 'express') {
    const app = require('express')();
    if (floor) app.use((req, res, next) => floor.run(next));
    else if (variant !== 'bare') app.use((await import('otel-xray/express')).xrayTracing(options));
    app.get('/users/:id', (req, res) => { res.json(user(req.params.id)); answered(); });
    handler = app;
  } else if (framework === 'fastify') {
    const app = require('fastify')();
    if (floor) app.addHook('onRequest', (request, reply, done) => floor.run(done));
    else if (variant !== 'bare') await app.register((await import('otel-xray/fastify')).xrayTracing, options);
    app.get('/users/:id', async (request) => { answered(); return user(request.params.id); });
    await app.ready();
    handler = app.routing;
  } else {
    const Koa = require('koa');
    const Router = require('@koa/router');
    const app = new Koa();
    if (floor) app.use((ctx, next) => floor.run(next));
    else if (variant !== 'bare') app.use((await import('otel-xray/koa')).xrayTracing(options));
    const router = new Router();
    router.get('/users/:id', (ctx) => { ctx.body = user(ctx.params.id); answered(); });
    app.use(router.routes());
    handler = app.callback();
  }
  const server = http.createServer(handler);
  const connection = await connectLoopback(server);
  const request = Buffer.from('GET /users/42 HTTP/1.1\r\nHost: 127.0.0.1:3000\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n');
  /** n requests, one at a time; the next one starts after the previous response has finished. */
  const run = (n) => new Promise((resolve) => {
    let left = n;
    answered = () => setImmediate(() => (--left === 0 ? setImmediate(resolve) : connection.push(request)));
    connection.push(request);
  });
  await run(WARM_UP);
  // No forced collection before the window: V8 drops type feedback and compiled code in one, and
  // the window then re-tiered the request path (express sampled: 146 compilations and 24
  // deoptimizations in it, against 66 and 10 without it; bare 120 and 65). The window's own
  // collections, a full one included when it comes, are counted as a server pays them.
  const windowCollections = await countCollections();
  await announce('ready');
  await run(REQUESTS);
  await announce(`done ${windowCollections()}`);
  process.exit(0);
}

/**
 * Counts V8's garbage collections from now on; the returned function says how many, full and
 * young-generation. One full collection costs the window's requests about 10–20k instructions
 * each, so whether one fell in the window is shown beside each count.
 */
async function countCollections() {
  const { PerformanceObserver, constants } = await import('node:perf_hooks');
  let full = 0;
  let young = 0;
  const tally = (list) => {
    for (const entry of list.getEntries()) {
      if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) full++;
      else young++;
    }
  };
  const observer = new PerformanceObserver(tally);
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    tally({ getEntries: () => observer.takeRecords() });
    observer.disconnect();
    return `gc=${full}/${young}`;
  };
}

/** Listens on 127.0.0.1 and connects one raw socket to it; returns `push(bytes)`, which writes a request into it. */
async function connectLoopback(server) {
  const { connect } = await import('node:net');
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = connect(server.address().port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.resume();
  return { push: (bytes) => socket.write(bytes) };
}

/** One context holding a non-recording span, made per request, and the request run in it. */
async function floorScope() {
  const { ROOT_CONTEXT, context, trace } = await import('@opentelemetry/api');
  const spanContext = { traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: 0 };
  return { run: (next) => context.with(trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext(spanContext)), next) };
}

/** Instructions of REQUESTS requests: the counters are zeroed after the warm-up and dumped after the last. */
function countInstructions(node, framework, variant) {
  const scriptArgs = ['--serve', framework, variant, '--requests', String(REQUESTS), '--warm-up', String(WARM_UP)];
  // Fixed seeds for V8's hash tables and Math.random: with random ones, the same code's count moved
  // by up to 9k from one process to the next; with these, by about 0.1k. No memory reducer: it
  // starts garbage collections on a wall-clock timer, so under valgrind's slowness a sampled count
  // on fastify jumped by up to 50k from run to run; without it, two runs agreed within 0.4k.
  // Sampled and exported rows still move by up to 30k between runs: old-generation collection work
  // falls in the window or not, a finished full collection (reported with each count) or steps of
  // incremental marking (with --no-incremental-marking, fastify sampled counted 117.2k without a
  // full collection in the window and 196.7k with one).
  const counted = (windows[`${framework} ${variant}`] = {});
  const onDone = (line) => {
    [counted.full, counted.young] = (/gc=(\d+)\/(\d+)/.exec(line) ?? []).slice(1).map(Number);
  };
  const onMeasured = (dump) => {
    counted.collecting = collectionInstructions(dump);
  };
  return countWindowInstructions({
    node,
    // A young generation of fixed size (16 MB semi-spaces, what a busy server's grows to): V8 sizes
    // it from survival and allocation rates measured in wall-clock time, which valgrind's slowness
    // distorts. In one run express sampled, which allocates more than unsampled, had 5 young
    // collections in its window and unsampled 44.
    nodeArgs: ['--hash-seed=1', '--random-seed=1', '--no-memory-reducer', '--min-semi-space-size=16', '--max-semi-space-size=16'],
    script: fileURLToPath(import.meta.url),
    scriptArgs,
    cwd: root,
    label: `${framework} ${variant}`,
    onDone,
    onMeasured,
  });
}

async function main() {
  const node = benchNode(args);
  const perRequest = {};
  let receiver;
  if (VARIANTS.includes('exported')) {
    const { startOtlpReceiver } = await import('../test/support/reliability-receivers.mjs');
    receiver = await startOtlpReceiver({ full: false });
    process.env.BENCH_OTLP_URL = receiver.url();
  }
  for (const framework of FRAMEWORKS) {
    for (const variant of VARIANTS) {
      const instructions = await countInstructions(node, framework, variant);
      perRequest[`${framework} ${variant}`] = instructions / REQUESTS;
      const { full, young, collecting } = windows[`${framework} ${variant}`];
      console.error(
        `${framework} ${variant}: ${Math.round(instructions / REQUESTS)} instructions per request, ${Math.round(collecting / REQUESTS)} of them collecting garbage ` +
          `(${full} full and ${young} young-generation collections in the window)`,
      );
    }
  }
  if (receiver !== undefined) {
    console.error(`exported: the receiver took ${receiver.counts.get('/v1/traces')?.server ?? 0} server spans in ${receiver.requests} posts`);
    await receiver.close();
  }
  const traced = VARIANTS.filter((variant) => variant !== 'bare');
  if (!VARIANTS.includes('bare') || traced.length === 0) return;
  const k = (value) => `${(value / 1000).toFixed(1)}k`;
  console.log(`Instructions per request on Node ${node.version} (valgrind callgrind, ${REQUESTS} requests after ${WARM_UP} warm-up, over loopback):\n`);
  console.log(`| framework | bare |${traced.map((v) => ` ${v}: added | ${v}: bare/traced |`).join('')}\n|---|---:|${'---:|---:|'.repeat(traced.length)}`);
  for (const framework of FRAMEWORKS) {
    const bare = perRequest[`${framework} bare`];
    const cells = traced.map((variant) => {
      const count = perRequest[`${framework} ${variant}`];
      return ` +${k(count - bare)} | ${(bare / count).toFixed(2)} |`;
    });
    console.log(`| ${framework} | ${k(bare)} |${cells.join('')}`);
  }
  const fulls = Object.entries(windows).filter(([, counted]) => counted.full > 0);
  console.log(`\nFull collections in the window (each adds about 10–20k per request to its row): ${fulls.map(([name, counted]) => `${name} ${counted.full}`).join(', ') || 'none'}.`);
  // The same without the collector's own functions (callgrind-collection.mjs): which collections
  // fall in a window moves a count by up to 30k, the requests' own work by about 2k.
  console.log(`\nWithout garbage collection, and the collection per request:\n`);
  console.log(`| framework | bare | bare: collecting |${traced.map((v) => ` ${v}: added | ${v}: collecting |`).join('')}\n|---|---:|---:|${'---:|---:|'.repeat(traced.length)}`);
  const collecting = (name) => windows[name].collecting / REQUESTS;
  const working = (name) => perRequest[name] - collecting(name);
  for (const framework of FRAMEWORKS) {
    const bare = working(`${framework} bare`);
    const cells = traced.map((variant) => ` +${k(working(`${framework} ${variant}`) - bare)} | ${k(collecting(`${framework} ${variant}`))} |`);
    console.log(`| ${framework} | ${k(bare)} | ${k(collecting(`${framework} bare`))} |${cells.join('')}`);
  }
}
