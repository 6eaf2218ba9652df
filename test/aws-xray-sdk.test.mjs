// otel-xray/aws-xray-sdk: aws-xray-sdk's API shapes, segments and subsegments on spans, their
// nesting (automatic and manual mode, explicit parents), context-missing strategies, and the
// calls it does not offer.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import http from 'node:http';
import { createRequire } from 'node:module';
import { after, before, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import AWSXRay, { Segment, Subsegment, captureAsyncFunc, captureFunc, getNamespace, getSegment, setSegment } from 'otel-xray/aws-xray-sdk';
import { spanToSegment } from '../dist/esm/core/exporters/segment/index.js';
import { REPO_ROOT } from './support/child-apps.mjs';
import { startDaemon } from './support/daemon-socket.mjs';
import { listen, startMemoryTracing } from './support/tracing.mjs';

const require = createRequire(import.meta.url);
const run = promisify(execFile);

/** A logger that keeps what it is given. */
function recordingLogger() {
  const lines = { error: [], warn: [], info: [], debug: [] };
  const logger = Object.fromEntries(Object.keys(lines).map((level) => [level, (...args) => lines[level].push(args.join(' '))]));
  return { logger, lines };
}

const byName = (spans, name) => spans.find((span) => span.name === name);
const parentOf = (span) => span.parentSpanContext?.spanId;

describe('otel-xray/aws-xray-sdk', () => {
  let memory;
  let log;

  before(() => {
    memory = startMemoryTracing({ sampler: 'always_on' });
  });
  after(() => memory.tracing.shutdown());
  beforeEach(async () => {
    // Spans an earlier test ended may still sit in the batch: export them before clearing.
    await memory.tracing.forceFlush();
    memory.reset();
    log = recordingLogger();
    AWSXRay.setLogger(log.logger);
    AWSXRay.enableAutomaticMode();
    AWSXRay.setContextMissingStrategy('LOG_ERROR');
  });

  describe('API shapes', () => {
    const CALLS = [
      'captureAWSv3Client', 'captureAsyncFunc', 'captureCallbackFunc', 'captureFunc', 'captureHTTPs', 'captureHTTPsGlobal', 'capturePromise',
      'captureFetchGlobal', 'config', 'enableAutomaticMode', 'enableManualMode', 'getLogger', 'getNamespace', 'getSegment', 'isAutomaticMode',
      'resolveSegment', 'setContextMissingStrategy', 'setDaemonAddress', 'setLogger', 'setSegment', 'setStreamingThreshold',
    ];

    it('the default export, the named exports and require() offer the same calls', () => {
      const required = require('otel-xray/aws-xray-sdk');
      for (const name of CALLS) {
        assert.equal(typeof AWSXRay[name], 'function', `default.${name}`);
        assert.equal(typeof required[name], 'function', `require().${name}`);
      }
      assert.equal(typeof required.express.openSegment, 'function');
      assert.equal(typeof required.express.closeSegment, 'function');
      assert.equal(typeof AWSXRay.koa.openSegment, 'function');
      assert.equal(typeof AWSXRay.fastify, 'function');
      for (const name of ['setSamplingRules', 'disableCentralizedSampling', 'setDefaultName', 'enableDynamicNaming']) assert.equal(typeof AWSXRay.middleware[name], 'function');
      assert.deepEqual(Object.keys(AWSXRay.plugins).sort(), ['EC2Plugin', 'ECSPlugin', 'ElasticBeanstalkPlugin']);
      assert.equal(AWSXRay.Segment, Segment);
      assert.equal(AWSXRay.Subsegment, Subsegment);
    });

    it('a segment has trace_id, id and name, and the methods of aws-xray-sdk', () => {
      const segment = new Segment('nightly-job');
      assert.match(segment.trace_id, /^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      assert.match(segment.id, /^[0-9a-f]{16}$/);
      assert.equal(segment.name, 'nightly-job');
      for (const method of ['addAnnotation', 'addMetadata', 'addNewSubsegment', 'addError', 'addFaultFlag', 'addErrorFlag', 'addThrottleFlag', 'setUser', 'isClosed', 'close', 'flush']) {
        assert.equal(typeof segment[method], 'function', method);
      }
      const subsegment = segment.addNewSubsegment('step');
      assert.ok(subsegment instanceof Subsegment);
      assert.equal(subsegment.trace_id, segment.trace_id);
      assert.equal(subsegment.setUser, undefined, 'setUser is for segments only');
      assert.equal(segment.isClosed(), false);
      subsegment.close();
      segment.close();
      assert.equal(segment.isClosed(), true);
    });

    it('outbound captures return what they were given; setStreamingThreshold and capturePromise do nothing', () => {
      assert.equal(AWSXRay.captureHTTPsGlobal(http), http);
      assert.equal(AWSXRay.captureHTTPs(http, true), http);
      assert.equal(AWSXRay.captureFetchGlobal(), globalThis.fetch);
      assert.equal(AWSXRay.capturePromise(), undefined);
      assert.equal(AWSXRay.setStreamingThreshold(10), undefined);
    });

    it('config takes the plugins and rejects anything else', () => {
      assert.throws(() => AWSXRay.config([{ name: 'EC2Plugin' }]), /unknown plugin EC2Plugin/);
      assert.throws(() => AWSXRay.config('EC2Plugin'), /array of plugins/);
    });
  });

  describe('segments on spans', () => {
    it('new Segment(name, rootId, parentId) continues the caller\'s trace under its parent', async () => {
      const segment = new Segment('consumer', '1-5759e988-bd862e3fe1be46a994272793', '53995c3f42cd8ad8');
      segment.close();
      const [span] = await memory.spans(1);
      assert.equal(segment.trace_id, '1-5759e988-bd862e3fe1be46a994272793');
      assert.equal(span.spanContext().traceId, '5759e988bd862e3fe1be46a994272793');
      assert.equal(parentOf(span), '53995c3f42cd8ad8');
      assert.equal(span.kind, SpanKind.SERVER);
      assert.equal(spanToSegment(span).name, 'consumer');
    });

    it('new Segment(name, rootId) keeps the trace id with no parent; a malformed rootId starts a new trace', async () => {
      const kept = new Segment('job', '1-5759e988-bd862e3fe1be46a994272794');
      const fresh = new Segment('job', 'not-a-root');
      kept.close();
      fresh.close();
      const spans = await memory.spans(2);
      assert.equal(kept.trace_id, '1-5759e988-bd862e3fe1be46a994272794');
      assert.notEqual(fresh.trace_id, kept.trace_id);
      assert.ok(spans.every((span) => parentOf(span) === undefined));
    });

    it('annotations, metadata, user, flags and causes reach the X-Ray document as aws-xray-sdk sends them', async () => {
      const segment = new Segment('orders');
      segment.addAnnotation('tier', 'gold');
      segment.addAnnotation('bad', { not: 'a value' });
      segment.addMetadata('order', { id: 42 });
      segment.addMetadata('raw', null, 'debug');
      segment.setUser('alice');
      segment.addErrorFlag();
      segment.addThrottleFlag();
      const subsegment = segment.addNewSubsegment('charge');
      subsegment.addError(new RangeError('card declined'), true);
      subsegment.close();
      const local = segment.addNewSubsegment('validate');
      local.close('bad input');
      segment.close();
      const spans = await memory.spans(3);
      const root = spanToSegment(byName(spans, 'orders'));
      assert.deepEqual(root.annotations, { tier: 'gold' });
      assert.deepEqual(root.metadata.debug, { raw: '' });
      assert.equal(root.metadata.default.order.id, 42);
      assert.equal(root.user, 'alice');
      assert.deepEqual([root.error, root.throttle, root.fault], [true, true, false]);
      assert.ok(!('aws.xray.error' in root.metadata.default), 'flag attributes are not metadata');
      assert.match(log.lines.error.join('\n'), /Failed to add annotation key: bad/);
      const charge = spanToSegment(byName(spans, 'charge'));
      assert.equal(charge.fault, true);
      assert.deepEqual(charge.cause.exceptions.map(({ type, message, remote }) => ({ type, message, remote })), [{ type: 'RangeError', message: 'card declined', remote: true }]);
      assert.ok(charge.cause.exceptions[0].stack.length > 0);
      const validate = spanToSegment(byName(spans, 'validate'));
      assert.deepEqual(validate.cause.exceptions.map(({ message, remote }) => ({ message, remote })), [{ message: 'bad input', remote: false }]);
    });
  });

  describe('automatic mode', () => {
    it('setSegment inside getNamespace().run makes the segment current; captures nest under it', async () => {
      const segment = new Segment('worker');
      let inner;
      await getNamespace().runAndReturn(async () => {
        setSegment(segment);
        assert.equal(getSegment(), segment);
        await captureAsyncFunc('outer', async (outer) => {
          assert.equal(getSegment(), outer);
          captureFunc('inner', (sub) => {
            inner = sub;
            assert.equal(getSegment(), sub);
          });
          await new Promise((resolve) => setTimeout(resolve, 1));
          assert.equal(getSegment(), outer, 'current again after the inner capture, across a timer');
          outer.close();
        });
        assert.equal(getSegment(), segment);
        segment.close();
      });
      assert.equal(inner.isClosed(), true, 'captureFunc closes its subsegment');
      const spans = await memory.spans(3);
      assert.equal(parentOf(byName(spans, 'outer')), segment.id);
      assert.equal(parentOf(byName(spans, 'inner')), byName(spans, 'outer').spanContext().spanId);
    });

    it('an explicit parent wins over the current segment', async () => {
      const segment = new Segment('worker');
      const chosen = segment.addNewSubsegment('chosen');
      await getNamespace().runAndReturn(async () => {
        setSegment(segment);
        await captureAsyncFunc('child', async (child) => child.close(), chosen);
      });
      chosen.close();
      segment.close();
      const spans = await memory.spans(3);
      assert.equal(parentOf(byName(spans, 'child')), chosen.id);
    });

    it('captureCallbackFunc runs the callback in a subsegment closed when it returns', async () => {
      const segment = new Segment('worker');
      const done = await getNamespace().runAndReturn(() => {
        setSegment(segment);
        return new Promise((resolve) => setTimeout(AWSXRay.captureCallbackFunc('timer', (value) => resolve(value)), 1, 'fired'));
      });
      segment.close();
      assert.equal(done, 'fired');
      const spans = await memory.spans(2);
      assert.equal(parentOf(byName(spans, 'timer')), segment.id);
    });

    it('express.openSegment makes the request segment current, named by the default name; closeSegment records the error', async () => {
      const app = express();
      app.use(AWSXRay.express.openSegment('shop'));
      app.get('/items/:id', (req, res) => {
        const segment = getSegment();
        segment.addAnnotation('item', req.params.id);
        res.json({ segment: segment.name, traceId: segment.trace_id });
      });
      app.get('/broken', () => {
        throw new Error('broken handler');
      });
      app.use(AWSXRay.express.closeSegment());
      const server = await listen(http.createServer(app));
      try {
        const body = await (await fetch(`${server.url}/items/9`)).json();
        assert.equal(body.segment, 'shop');
        assert.equal((await fetch(`${server.url}/broken`)).status, 500);
      } finally {
        await server.close();
      }
      const spans = await memory.spans(2);
      const item = spanToSegment(byName(spans, 'GET /items/:id'));
      assert.equal(item.name, 'shop');
      assert.deepEqual(item.annotations, { item: '9' });
      const broken = spanToSegment(byName(spans, 'GET /broken'));
      assert.equal(broken.fault, true);
      assert.deepEqual(broken.cause.exceptions.map(({ message }) => message), ['broken handler']);
    });

    it('middleware.traceRequestResponseCycle gives a custom integration the request segment', async () => {
      const server = await listen(http.createServer((req, res) => {
        const segment = AWSXRay.middleware.traceRequestResponseCycle(req, res);
        res.end(segment instanceof Segment ? segment.name : 'none');
      }));
      try {
        AWSXRay.middleware.setDefaultName('custom');
        assert.equal(await (await fetch(server.url)).text(), 'custom');
      } finally {
        await server.close();
      }
    });

    it('an unsampled request has a segment too (recording nothing), as with aws-xray-sdk', async () => {
      const app = express();
      app.use(AWSXRay.express.openSegment('shop'));
      app.get('/quiet', (req, res) => {
        const segment = getSegment();
        segment.addAnnotation('ignored', 1);
        res.json({ name: segment?.name });
      });
      const server = await listen(http.createServer(app));
      try {
        const response = await fetch(`${server.url}/quiet`, { headers: { 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0' } });
        assert.deepEqual(await response.json(), { name: 'shop' });
      } finally {
        await server.close();
      }
      assert.deepEqual(log.lines.error, []);
    });
  });

  describe('manual mode', () => {
    after(() => AWSXRay.enableAutomaticMode());

    it('req.segment is the request segment, and captures given it as parent nest under it', async () => {
      AWSXRay.enableManualMode();
      assert.equal(AWSXRay.isAutomaticMode(), false);
      const app = express();
      app.use(AWSXRay.express.openSegment('manual-shop'));
      app.get('/work', async (req, res) => {
        await captureAsyncFunc('step', async (step) => {
          captureFunc('sub-step', () => {}, step);
          step.close();
        }, req.segment);
        res.json({ hasSegment: req.segment instanceof Segment, current: getSegment() === undefined });
      });
      const server = await listen(http.createServer(app));
      try {
        assert.deepEqual(await (await fetch(`${server.url}/work`)).json(), { hasSegment: true, current: true });
      } finally {
        await server.close();
      }
      const spans = await memory.spans(3);
      const request = byName(spans, 'GET /work');
      assert.equal(parentOf(byName(spans, 'step')), request.spanContext().spanId);
      assert.equal(parentOf(byName(spans, 'sub-step')), byName(spans, 'step').spanContext().spanId);
      assert.match(log.lines.error.join('\n'), /Cannot get sub\/segment from context\. Not supported in manual mode\./);
    });

    it('a capture without a parent reports the missing context and still runs the function', () => {
      AWSXRay.enableManualMode();
      AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
      assert.equal(captureFunc('orphan', () => 'ran'), 'ran');
      AWSXRay.setContextMissingStrategy('RUNTIME_ERROR');
      assert.throws(() => captureFunc('orphan', () => 'ran'), /A sub\/segment must be provided for manual mode/);
    });
  });

  describe('context-missing strategies', () => {
    it('LOG_ERROR (the default) logs, IGNORE_ERROR is silent, RUNTIME_ERROR throws, a function is called', () => {
      assert.equal(getSegment(), undefined);
      assert.match(log.lines.error.join('\n'), /Failed to get the current sub\/segment from the context\./);
      log.lines.error.length = 0;
      AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
      assert.equal(getSegment(), undefined);
      assert.deepEqual(log.lines.error, []);
      AWSXRay.setContextMissingStrategy('RUNTIME_ERROR');
      assert.throws(() => getSegment(), /Failed to get the current sub\/segment from the context\./);
      const messages = [];
      AWSXRay.setContextMissingStrategy((message) => messages.push(message));
      getSegment();
      assert.deepEqual(messages, ['Failed to get the current sub/segment from the context.']);
    });

    it('an unknown strategy is refused', () => {
      assert.throws(() => AWSXRay.setContextMissingStrategy('SHRUG'), /Invalid context missing strategy: SHRUG/);
      assert.throws(() => AWSXRay.setContextMissingStrategy(42), /must be either a string or a custom function/);
    });
  });

  describe('other frameworks', () => {
    it('koa.openSegment: the request segment is current downstream', async () => {
      const app = new Koa();
      app.use(AWSXRay.koa.openSegment('koa-shop'));
      app.use((ctx) => {
        getSegment().addAnnotation('framework', 'koa');
        ctx.body = { name: getSegment().name };
      });
      const server = await listen(http.createServer(app.callback()));
      try {
        assert.deepEqual(await (await fetch(`${server.url}/`)).json(), { name: 'koa-shop' });
      } finally {
        await server.close();
      }
      const [span] = await memory.spans(1);
      assert.deepEqual(spanToSegment(span).annotations, { framework: 'koa' });
      assert.equal(spanToSegment(span).name, 'koa-shop');
    });

    it('the fastify plugin: request.segment and the current segment in the handler', async () => {
      const app = Fastify();
      await app.register(AWSXRay.fastify, { segmentName: 'fastify-shop' });
      app.get('/hello', async (request) => ({ same: request.segment === getSegment(), name: request.segment.name }));
      await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        assert.deepEqual(await (await fetch(`http://127.0.0.1:${app.server.address().port}/hello`)).json(), { same: true, name: 'fastify-shop' });
      } finally {
        await app.close();
      }
      const [span] = await memory.spans(1);
      assert.equal(spanToSegment(span).name, 'fastify-shop');
    });
  });

  describe('calls not offered', () => {
    for (const [call, replacement] of [
      ['captureAWS', /AWS SDK v3.*captureAWSv3Client/],
      ['captureAWSClient', /captureAWSv3Client/],
      ['captureMySQL', /instrumentation-mysql2.*sql subsegments/],
      ['capturePostgres', /instrumentation-pg.*sql subsegments/],
    ]) {
      it(`${call} throws, naming the call and what to use instead`, () => {
        assert.throws(() => AWSXRay[call]({}), (error) => error.message.includes(`${call}()`) && replacement.test(error.message));
      });
    }
  });
});

describe('configuration, in a fresh process', () => {
  it('setDaemonAddress and setSamplingRules apply when tracing starts at the first segment: the daemon gets it', async () => {
    const daemon = await startDaemon();
    try {
      const script = `
        const AWSXRay = require('otel-xray/aws-xray-sdk');
        AWSXRay.setDaemonAddress('${daemon.address}');
        AWSXRay.middleware.setSamplingRules({ version: 2, rules: [], default: { fixed_target: 0, rate: 1 } });
        const segment = new AWSXRay.Segment('nightly-job');
        segment.addAnnotation('batch', 7);
        segment.close();
        segment.flush();
        setTimeout(() => {}, 300);
      `;
      await run(process.execPath, ['-e', script], { cwd: REPO_ROOT, env: { PATH: process.env.PATH } });
      for (let attempt = 0; attempt < 100 && daemon.documents.length === 0; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.deepEqual(daemon.documents.map(({ name, annotations }) => ({ name, annotations })), [{ name: 'nightly-job', annotations: { batch: 7 } }]);
    } finally {
      await daemon.close();
    }
  });
});

describe('environment variables', () => {
  it('AWS_XRAY_CONTEXT_MISSING and AWS_XRAY_TRACING_NAME win over the calls', async () => {
    const script = `
      const AWSXRay = require('otel-xray/aws-xray-sdk');
      AWSXRay.setContextMissingStrategy('LOG_ERROR');
      let threw = false;
      try { AWSXRay.getSegment(); } catch { threw = true; }
      AWSXRay.middleware.setDefaultName('from-code');
      console.log(JSON.stringify({ threw, name: AWSXRay.middleware.resolveName('host') }));
    `;
    const { stdout } = await run(process.execPath, ['-e', script], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, AWS_XRAY_CONTEXT_MISSING: 'RUNTIME_ERROR', AWS_XRAY_TRACING_NAME: 'from-env', OTEL_TRACES_EXPORTER: 'none' },
    });
    assert.deepEqual(JSON.parse(stdout), { threw: true, name: 'from-env' });
  });

  it('AWS_XRAY_DEBUG_MODE logs debug lines; by default only errors are logged', async () => {
    const script = `
      const AWSXRay = require('otel-xray/aws-xray-sdk');
      AWSXRay.getLogger().debug('a debug line');
      AWSXRay.getLogger().error('an error line');
    `;
    const options = (env) => ({ cwd: REPO_ROOT, env: { PATH: process.env.PATH, OTEL_TRACES_EXPORTER: 'none', ...env } });
    const debug = await run(process.execPath, ['-e', script], options({ AWS_XRAY_DEBUG_MODE: '1' }));
    assert.match(debug.stdout + debug.stderr, /a debug line/);
    const quiet = await run(process.execPath, ['-e', script], options({}));
    assert.doesNotMatch(quiet.stdout + quiet.stderr, /a debug line/);
    assert.match(quiet.stderr, /an error line/);
  });
});
