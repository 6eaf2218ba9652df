// startTracing options: validation, environment variables, the singleton handle, restart, and
// the middleware starting tracing by itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { DiagLogLevel, SpanKind, diag, propagation, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import { startTracing } from 'otel-xray';
import { xrayTracing } from 'otel-xray/express';
import { listen } from './support/tracing.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const quiet = { flushOnSigterm: false, outbound: false };

/** startTracing must throw a TypeError whose message starts `otel-xray: ` and matches `message`. */
function assertRejected(options, message) {
  assert.throws(
    () => startTracing(options),
    (error) => {
      assert.equal(error.name, 'TypeError');
      assert.match(error.message, /^otel-xray: /);
      assert.match(error.message, message);
      return true;
    },
    `rejects ${String(JSON.stringify(options, (_key, value) => (typeof value === 'bigint' ? `${value}n` : value)))}`,
  );
}

/** Runs `fn` with environment variables set, restoring them afterwards (after the promise, if it returns one). */
function withEnv(vars, fn) {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const restore = () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  Object.assign(process.env, vars);
  let result;
  try {
    result = fn();
  } catch (error) {
    restore();
    throw error;
  }
  if (typeof result?.then === 'function') return result.finally(restore);
  restore();
  return result;
}

describe('startTracing options', () => {
  it('rejects each bad option with a TypeError naming it and what it accepts', () => {
    const cases = [
      ['not an object', /startTracing options must be an object \(got "not an object"\)/],
      [['console'], /startTracing options must be an object/],
      [{ serviceName: 42 }, /serviceName must be a non-empty string \(got 42\)/],
      [{ serviceName: '   ' }, /serviceName must be a non-empty string/],
      [{ exporter: 'zipkin' }, /exporter must be one of otlp, xray-daemon, xray-otlp, console, none \(got "zipkin"\)/],
      [{ exporter: { export() {} } }, /exporter must be one of otlp, xray-daemon, xray-otlp, console, none/],
      [{ endpoint: 4318 }, /endpoint must be a non-empty string \(got 4318\)/],
      [{ sampler: 'sometimes' }, /sampler must be one of always_on, always_off, parentbased_always_on, .*parentbased_traceidratio, xray \(got "sometimes"\)/],
      [{ sampler: { rules: 5 } }, /sampler\.rules must be a rules document or the path of a JSON file \(got 5\)/],
      [{ sampler: 'traceidratio', samplerArg: 2 }, /samplerArg must be a number from 0 to 1 \(got 2\)/],
      [{ sampler: 'traceidratio', samplerArg: '0.5' }, /samplerArg must be a number from 0 to 1 \(got "0.5"\)/],
      [{ sampler: 'traceidratio', samplerArg: Number.NaN }, /samplerArg must be a number from 0 to 1/],
      [{ sampler: 'traceidratio', samplerArg: 10n }, /samplerArg must be a number from 0 to 1 \(got 10 \(bigint\)\)/],
      [{ propagators: 'xray' }, /propagators must be an array of xray, tracecontext, baggage, none \(got "xray"\)/],
      [{ propagators: ['xray', 'b3'] }, /propagators\[\] must be one of xray, tracecontext, baggage, none \(got "b3"\)/],
      [{ outbound: 'yes' }, /outbound must be true or false \(got "yes"\)/],
      [{ flushOnSigterm: 1 }, /flushOnSigterm must be true or false \(got 1\)/],
      [{ resourceAttributes: 'team=orders' }, /resourceAttributes must be an object of string, number or boolean values/],
      [{ resourceAttributes: { team: { name: 'orders' } } }, /resourceAttributes\["team"\] must be a string, finite number or boolean \(got \{"name":"orders"\}\)/],
      [{ resourceAttributes: { size: Number.POSITIVE_INFINITY } }, /resourceAttributes\["size"\] must be a string, finite number or boolean/],
    ];
    for (const [options, message] of cases) assertRejected(options, message);
  });

  it('rejects an unknown option with a TypeError naming it and the option likely meant', () => {
    const allowed = 'allowed: serviceName, exporter, endpoint, sampler, samplerArg, propagators, outbound, outboundRootSpans, redactQueryKeys, resourceAttributes, flushOnSigterm';
    const cases = [
      [{ servicename: 'x' }, 'servicename', 'serviceName'],
      [{ serviceNmae: 'x' }, 'serviceNmae', 'serviceName'],
      [{ exporters: 'none' }, 'exporters', 'exporter'],
      [{ outboundRoot: true }, 'outboundRoot', 'outboundRootSpans'],
      [{ redactQueryKey: ['token'] }, 'redactQueryKey', 'redactQueryKeys'],
    ];
    for (const [options, key, intended] of cases) {
      assert.throws(() => startTracing({ ...quiet, ...options }), {
        name: 'TypeError',
        message: `otel-xray: unknown startTracing option "${key}" (${allowed}); did you mean "${intended}"?`,
      });
    }
    assert.throws(() => startTracing({ ...quiet, colour: 'blue' }), { name: 'TypeError', message: `otel-xray: unknown startTracing option "colour" (${allowed})` });
    assert.throws(() => startTracing({ ...quiet, redactQueryKeys: 'token' }), { name: 'TypeError', message: /^otel-xray: redactQueryKeys must be an array of query parameter names \(got "token"\)/ });
    assert.throws(() => startTracing({ ...quiet, redactQueryKeys: ['token', ''] }), { name: 'TypeError', message: /^otel-xray: redactQueryKeys must be an array/ });
  });

  it('rejects bad environment variables, naming the variable and what it accepts', () => {
    const cases = [
      [{ OTEL_TRACES_EXPORTER: 'zipkin' }, /OTEL_TRACES_EXPORTER must be one of otlp, xray-daemon, xray-otlp, console, none \(got "zipkin"\)/],
      [{ OTEL_TRACES_SAMPLER: 'sometimes' }, /OTEL_TRACES_SAMPLER must be one of always_on, .*xray \(got "sometimes"\)/],
      [{ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }, /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 \(got "half"\)/],
      [{ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }, /OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 \(got "1.5"\)/],
      [{ OTEL_PROPAGATORS: 'xray,b3' }, /OTEL_PROPAGATORS must be one of xray, tracecontext, baggage, none \(got "b3"\)/],
    ];
    for (const [vars, message] of cases) withEnv(vars, () => assertRejected({ ...quiet }, message));
  });

  it('prefers an option over its environment variable', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = withEnv({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_PROPAGATORS: 'b3' }, () =>
      startTracing({ ...quiet, exporter, propagators: ['xray'] }),
    );
    assert.deepEqual(propagation.fields(), ['x-amzn-trace-id']);
    await tracing.shutdown();
  });

  it('adds OTEL_XRAY_REDACT_QUERY_KEYS to the query keys redacted in outbound url.full', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = withEnv({ OTEL_XRAY_REDACT_QUERY_KEYS: ' api_key , Token ' }, () => startTracing({ ...quiet, exporter, outbound: true }));
    const server = await listen(http.createServer((req, res) => res.end('ok')));
    try {
      await trace.getTracer('test').startActiveSpan('parent', async (parent) => {
        await (await fetch(`${server.url}/keys?API_KEY=k&token=t&sig=s&page=1`)).text();
        parent.end();
      });
      await tracing.forceFlush();
      const client = exporter.getFinishedSpans().find((span) => span.kind === SpanKind.CLIENT);
      assert.equal(client?.attributes['url.full'], `${server.url}/keys?API_KEY=REDACTED&token=REDACTED&sig=REDACTED&page=1`);
    } finally {
      await server.close();
      await tracing.shutdown();
    }
  });

  it('returns the same handle when called again, and starts afresh after shutdown', async () => {
    // Records what it is given even after shutdown (InMemorySpanExporter forgets on shutdown).
    const firstNames = [];
    const first = {
      export(spans, done) {
        firstNames.push(...spans.map((span) => span.name));
        done({ code: 0 });
      },
      shutdown: async () => {},
      forceFlush: async () => {},
    };
    const tracing = startTracing({ ...quiet, exporter: first });
    assert.equal(startTracing({ ...quiet, exporter: 'console' }), tracing);
    assert.equal(startTracing(), tracing);

    const app = express();
    app.use(xrayTracing());
    app.get('/orders/:id', (req, res) => res.send('ok'));
    const server = await listen(http.createServer(app));
    try {
      assert.equal((await fetch(`${server.url}/orders/1`)).status, 200);
      await tracing.forceFlush();
      assert.deepEqual(firstNames, ['GET /orders/:id']);

      await tracing.shutdown();
      await tracing.shutdown(); // a second shutdown is harmless

      const second = new InMemorySpanExporter();
      const restarted = startTracing({ ...quiet, exporter: second });
      assert.notEqual(restarted, tracing);
      const response = await fetch(`${server.url}/orders/2`);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('x-amzn-trace-id'), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=1$/);
      for (let i = 0; i < 100 && second.getFinishedSpans().length === 0; i++) {
        await restarted.forceFlush();
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.deepEqual(second.getFinishedSpans().map((span) => span.name), ['GET /orders/:id']);
      assert.deepEqual(firstNames, ['GET /orders/:id'], 'nothing more reaches the stopped exporter');
      await restarted.shutdown();
    } finally {
      await server.close();
    }
  });

  it('leaves requests untraced, and the app working, when the environment is bad', async () => {
    await startTracing({ ...quiet, exporter: 'none' }).shutdown();
    globalThis[Symbol.for('otel-xray.state')] = undefined; // as in a fresh process: nothing started yet
    const errors = [];
    diag.setLogger({ error: (message) => errors.push(message), warn() {}, info() {}, debug() {}, verbose() {} }, DiagLogLevel.ERROR);
    const app = express();
    app.use(xrayTracing());
    app.get('/orders/:id', (req, res) => res.send('still served'));
    const server = await listen(http.createServer(app));
    try {
      await withEnv({ OTEL_TRACES_EXPORTER: 'zipkin' }, async () => {
        for (let i = 0; i < 2; i++) {
          const response = await fetch(`${server.url}/orders/${i}`);
          assert.equal(response.status, 200);
          assert.equal(await response.text(), 'still served');
          assert.equal(response.headers.get('x-amzn-trace-id'), null);
        }
      });
      assert.equal(errors.length, 1, 'reported once');
      assert.match(errors[0], /^otel-xray: requests are not traced: OTEL_TRACES_EXPORTER must be one of otlp/);
    } finally {
      diag.disable();
      await server.close();
    }
  });

  it('is started by the middleware with environment defaults when no provider is registered', async () => {
    const script = `
      import express from 'express';
      import { startTracing } from 'otel-xray';
      import { xrayTracing } from 'otel-xray/express';
      const app = express();
      app.use(xrayTracing());
      app.get('/hello/:name', (req, res) => res.send('hello'));
      const server = app.listen(0, '127.0.0.1', async () => {
        const response = await fetch('http://127.0.0.1:' + server.address().port + '/hello/world');
        console.log('status=' + response.status + ' header=' + response.headers.get('x-amzn-trace-id'));
        const tracing = startTracing(); // the handle the middleware's start created
        await tracing.forceFlush();
        await tracing.shutdown();
        server.close();
      });
    `;
    const env = {
      ...process.env,
      OTEL_TRACES_EXPORTER: 'console',
      OTEL_SERVICE_NAME: 'auto-started',
      OTEL_TRACES_SAMPLER: 'always_on',
    };
    delete env.NODE_OPTIONS;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, env, timeout: 20000 });
    const [, traceId] = /status=200 header=Root=(1-[0-9a-f]{8}-[0-9a-f]{24});Sampled=1/.exec(stdout) ?? [];
    assert.ok(traceId, stdout);
    assert.match(stdout, /name: 'GET \/hello\/:name'/);
    assert.match(stdout, /'service\.name': 'auto-started'/);
    assert.match(stdout, new RegExp(`traceId: '${traceId.slice(2).replace('-', '')}'`));
  });

  it('stays off after shutdown(): the middleware does not start tracing again on its own', async () => {
    const exporter = new InMemorySpanExporter();
    await startTracing({ ...quiet, exporter }).shutdown();
    const app = express();
    app.use(xrayTracing());
    app.get('/orders/:id', (req, res) => res.send('served'));
    const server = await listen(http.createServer(app));
    try {
      const response = await fetch(`${server.url}/orders/1`);
      assert.equal(await response.text(), 'served');
      assert.equal(response.headers.get('x-amzn-trace-id'), null);
      assert.equal(exporter.getFinishedSpans().length, 0);
    } finally {
      await server.close();
    }
  });

  it('honours OTEL_SDK_DISABLED: startTracing is a no-op and requests are served untraced', async () => {
    globalThis[Symbol.for('otel-xray.state')] = undefined; // as in a fresh process
    const exporter = new InMemorySpanExporter();
    const app = express();
    app.use(xrayTracing());
    app.get('/', (req, res) => res.send('served'));
    const server = await listen(http.createServer(app));
    try {
      await withEnv({ OTEL_SDK_DISABLED: 'true' }, async () => {
        const tracing = startTracing({ ...quiet, exporter });
        const response = await fetch(`${server.url}/`);
        assert.equal(await response.text(), 'served');
        assert.equal(response.headers.get('x-amzn-trace-id'), null);
        await tracing.forceFlush();
        await tracing.shutdown();
      });
      assert.equal(exporter.getFinishedSpans().length, 0);
    } finally {
      await server.close();
    }
  });

  it("keeps the app's own diag logger, and warns through it when options arrive too late", async () => {
    globalThis[Symbol.for('otel-xray.state')] = undefined; // as in a fresh process,
    diag.disable(); // with no logger registered yet
    const warnings = [];
    diag.setLogger({ error() {}, warn: (message) => warnings.push(message), info() {}, debug() {}, verbose() {} }, DiagLogLevel.WARN);
    try {
      const tracing = startTracing({ ...quiet, exporter: 'none' });
      assert.equal(startTracing({ serviceName: 'late' }), tracing);
      assert.equal(warnings.length, 1, warnings.join('\n'));
      assert.match(warnings[0], /^otel-xray: tracing had already started/);
      await tracing.shutdown();
    } finally {
      diag.disable();
    }
  });
});
