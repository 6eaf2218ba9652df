// X-Amzn-Trace-Id parsing and writing, through the propagators otel-xray registers by default
// (xray, tracecontext, baggage).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, TraceFlags, defaultTextMapGetter, defaultTextMapSetter, propagation, trace } from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { startMemoryTracing } from './support/tracing.mjs';

const ROOT = '1-5759e988-bd862e3fe1be46a994272793';
const TRACE_ID = '5759e988bd862e3fe1be46a994272793';
const PARENT = '53995c3f42cd8ad8';
const W3C_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const W3C_PARENT = 'b7ad6b7169203331';
const TRACEPARENT = `00-${W3C_TRACE_ID}-${W3C_PARENT}-01`;

let memory;
before(() => {
  memory = startMemoryTracing();
});
after(() => memory.tracing.shutdown());

const extract = (header) => propagation.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': header }, defaultTextMapGetter);
const parentOf = (header) => trace.getSpanContext(extract(header));

/** The X-Amzn-Trace-Id a child of `context` would send downstream. */
function outbound(context) {
  const span = trace.getTracer('xray-header-test').startSpan('child', {}, context);
  const carrier = {};
  propagation.inject(trace.setSpan(context, span), carrier, defaultTextMapSetter);
  const recording = span.isRecording();
  span.end();
  return { header: carrier['X-Amzn-Trace-Id'], span, recording };
}

describe('X-Amzn-Trace-Id: what is accepted', () => {
  const accepted = [
    ['the tidy form', `Root=${ROOT};Parent=${PARENT};Sampled=1`],
    ['keys in another order', `Sampled=1;Parent=${PARENT};Root=${ROOT}`],
    ['lower-case keys', `root=${ROOT};parent=${PARENT};sampled=1`],
    ['upper-case keys', `ROOT=${ROOT};PARENT=${PARENT};SAMPLED=1`],
    ['upper-case hex digits', `Root=${ROOT.toUpperCase()};Parent=${PARENT.toUpperCase()};Sampled=1`],
    ['spaces around ; and =', ` Root = ${ROOT} ; Parent= ${PARENT} ;Sampled =1 `],
    ['a trailing ;', `Root=${ROOT};Parent=${PARENT};Sampled=1;`],
    ['ALB Self and custom fields', `Self=1-67891233-12456789abcdef012345678;Root=${ROOT};Parent=${PARENT};Sampled=1;CalledFrom=app`],
    ['a Lineage', `Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=1:d2b0e4b0:0`],
    ['a bad Lineage (dropped, not fatal)', `Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=1:badc0de:13`],
  ];
  for (const [name, header] of accepted) {
    it(`continues ${name}`, () => {
      const parent = parentOf(header);
      assert.ok(parent, 'a parent span context');
      assert.equal(parent.traceId, TRACE_ID);
      assert.equal(parent.spanId, PARENT);
      assert.equal(parent.isRemote, true);
      assert.equal(parent.traceFlags, TraceFlags.SAMPLED);
    });
  }

  it('takes the one header of a one-element array', () => {
    const context = propagation.extract(ROOT_CONTEXT, { 'x-amzn-trace-id': [`Root=${ROOT};Parent=${PARENT};Sampled=1`] }, defaultTextMapGetter);
    assert.equal(trace.getSpanContext(context)?.traceId, TRACE_ID);
  });
});

describe('X-Amzn-Trace-Id: garbage starts a new trace', () => {
  const rejected = [
    ['an empty header', ''],
    ['no Root', `Parent=${PARENT};Sampled=1`],
    ['a Root of version 2', `Root=2-5759e988-bd862e3fe1be46a994272793;Parent=${PARENT};Sampled=1`],
    ['a short Root', `Root=1-5759e988-bd862e3fe1be46a99427279;Parent=${PARENT};Sampled=1`],
    ['a Root with a misplaced dash', `Root=1-5759e98-8bd862e3fe1be46a994272793;Parent=${PARENT};Sampled=1`],
    ['a Root with non-hex digits', `Root=1-5759e988-bd862e3fe1be46a99427279z;Parent=${PARENT};Sampled=1`],
    ['an all-zero Root', `Root=1-00000000-000000000000000000000000;Parent=${PARENT};Sampled=1`],
    ['a short Parent', `Root=${ROOT};Parent=53995c3f42cd8ad;Sampled=1`],
    ['a non-hex Parent', `Root=${ROOT};Parent=53995c3f42cd8adx;Sampled=1`],
    ['an all-zero Parent', `Root=${ROOT};Parent=0000000000000000;Sampled=1`],
    ['two headers joined by a comma', `Root=${ROOT};Parent=${PARENT};Sampled=1, Root=1-67891233-abcdef012345678912345678`],
    ['a header over 1024 characters', `Root=${ROOT};Parent=${PARENT};Sampled=1;Pad=${'x'.repeat(1024)}`],
    ['a value that is not text', 42],
  ];
  for (const [name, header] of rejected) {
    it(`ignores ${name}`, () => {
      assert.equal(parentOf(header), undefined);
    });
  }

  it('ignores two separate headers', () => {
    const context = propagation.extract(
      ROOT_CONTEXT,
      { 'x-amzn-trace-id': [`Root=${ROOT};Parent=${PARENT};Sampled=1`, `Root=${ROOT};Parent=${PARENT};Sampled=0`] },
      defaultTextMapGetter,
    );
    assert.equal(trace.getSpanContext(context), undefined);
  });
});

describe('X-Amzn-Trace-Id: sampling decisions', () => {
  it('honours Sampled=0', () => {
    const { header, span, recording } = outbound(extract(`Root=${ROOT};Parent=${PARENT};Sampled=0`));
    assert.equal(recording, false);
    assert.equal(header, `Root=${ROOT};Parent=${span.spanContext().spanId};Sampled=0`);
  });

  for (const [name, header] of [
    ['Sampled=?', `Root=${ROOT};Parent=${PARENT};Sampled=?`],
    ['no Sampled', `Root=${ROOT};Parent=${PARENT}`],
  ]) {
    it(`decides locally for ${name}, keeping the trace and the parent`, () => {
      const context = extract(header);
      assert.equal(trace.getSpanContext(context).spanId, PARENT);
      const { header: sent, span, recording } = outbound(context);
      // The default sampler (parentbased_always_on) samples what the caller left undecided.
      assert.equal(recording, true);
      assert.equal(span.spanContext().traceId, TRACE_ID);
      assert.equal(span.parentSpanContext?.spanId, PARENT);
      assert.equal(sent, `Root=${ROOT};Parent=${span.spanContext().spanId};Sampled=1`);
    });
  }

  it('puts no parent in the context for a Root-only header', () => {
    const context = extract(`Root=${ROOT}`);
    assert.equal(trace.getSpanContext(context), undefined);
    assert.notEqual(context, ROOT_CONTEXT, 'the Root is kept for the next server span');
  });
});

describe('X-Amzn-Trace-Id: what is carried downstream', () => {
  it('writes Root, Parent and Sampled only: Self and unknown fields name one hop', () => {
    const { header, span } = outbound(extract(`Self=1-67891233-12456789abcdef012345678;Root=${ROOT};Parent=${PARENT};Sampled=1;CalledFrom=app`));
    assert.equal(header, `Root=${ROOT};Parent=${span.spanContext().spanId};Sampled=1`);
  });

  it('carries a valid Lineage on, once', () => {
    const { header, span } = outbound(extract(`Lineage=12:d2b0e4b0:3;Root=${ROOT};Parent=${PARENT};Sampled=1`));
    assert.equal(header, `Root=${ROOT};Parent=${span.spanContext().spanId};Sampled=1;Lineage=12:d2b0e4b0:3`);
  });

  it('keeps the header the same size however many hops carry it', () => {
    let header = `Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=32767:e65a2c4d:255`;
    const first = outbound(extract(header)).header;
    for (let hop = 0; hop < 20; hop++) header = outbound(extract(header)).header;
    assert.equal(header.length, first.length);
    assert.equal(header.split('Lineage=').length, 2, 'one Lineage');
    assert.match(header, /;Lineage=32767:e65a2c4d:255$/);
  });

  // The limits of Lambda's version-2 lineage, as the OTel Java X-Ray propagator checks them.
  const badLineages = [
    '1::', '1', '', ':', '::', '1:badc0de:13', ':fbadc0de:13', '1:fbadc0de:', '1::1', '65535:fbadc0de:255',
    '32768:fbadc0de:1', '1:fbadc0de:256', '-213:e65a2c4d:255', '213:e65a2c4d:-22', '1:FBADC0DE:1', '1:fbadc0de:1:2',
    '123456:fbadc0de:1', '1:fbadc0de0:1', 'a87bd80c:1|68fd508a:5',
  ];
  for (const lineage of badLineages) {
    it(`drops the Lineage ${JSON.stringify(lineage)} and keeps the trace`, () => {
      const { header, span } = outbound(extract(`Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=${lineage}`));
      assert.equal(header, `Root=${ROOT};Parent=${span.spanContext().spanId};Sampled=1`);
    });
  }

  it('accepts the extreme valid Lineage values', () => {
    for (const lineage of ['0:00000000:0', '32767:ffffffff:255', '00001:0a1b2c3d:007']) {
      const { header } = outbound(extract(`Root=${ROOT};Parent=${PARENT};Sampled=1;Lineage=${lineage}`));
      assert.ok(header.endsWith(`;Lineage=${lineage}`), header);
    }
  });

  it('writes nothing without a valid span context', () => {
    const carrier = {};
    propagation.inject(ROOT_CONTEXT, carrier, defaultTextMapSetter);
    assert.deepEqual(carrier, {});
  });
});

describe('X-Amzn-Trace-Id: the key in any case', () => {
  const header = `Root=${ROOT};Parent=${PARENT};Sampled=1`;
  for (const key of ['X-Amzn-Trace-Id', 'X-AMZN-TRACE-ID', 'x-Amzn-trace-ID']) {
    it(`finds ${key} with the default getter`, () => {
      const parent = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { [key]: header }));
      assert.equal(parent?.traceId, TRACE_ID);
      assert.equal(parent?.spanId, PARENT);
    });
  }

  it('finds a Root-only header under X-Amzn-Trace-Id (API Gateway event headers)', () => {
    const context = propagation.extract(ROOT_CONTEXT, { 'X-Amzn-Trace-Id': `Root=${ROOT}`, Host: 'example.com' });
    assert.equal(trace.getSpanContext(context), undefined);
    assert.notEqual(context, ROOT_CONTEXT, 'the Root is kept for the next server span');
  });

  it('finds it in a one-element array (queue message attributes)', () => {
    const parent = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { 'X-Amzn-Trace-Id': [header] }));
    assert.equal(parent?.spanId, PARENT);
  });
});

describe('X-Amzn-Trace-Id next to traceparent', () => {
  it('keeps the traceparent parent when the X-Ray header is Root-only (an ALB in front of a W3C caller)', () => {
    const context = propagation.extract(ROOT_CONTEXT, { traceparent: TRACEPARENT, 'x-amzn-trace-id': `Root=${ROOT}` });
    const parent = trace.getSpanContext(context);
    assert.equal(parent?.traceId, W3C_TRACE_ID);
    assert.equal(parent?.spanId, W3C_PARENT);
    const { span } = outbound(context);
    assert.equal(span.spanContext().traceId, W3C_TRACE_ID);
    assert.equal(span.parentSpanContext?.spanId, W3C_PARENT);
  });

  it('keeps it for a Root-only header with a decision too', () => {
    const parent = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: TRACEPARENT, 'x-amzn-trace-id': `Root=${ROOT};Sampled=0` }));
    assert.equal(parent?.spanId, W3C_PARENT);
    assert.equal(parent?.traceFlags, TraceFlags.SAMPLED);
  });

  it('lets a full X-Ray parent, listed first, win', () => {
    const parent = trace.getSpanContext(propagation.extract(ROOT_CONTEXT, { traceparent: TRACEPARENT, 'x-amzn-trace-id': `Root=${ROOT};Parent=${PARENT};Sampled=1` }));
    assert.equal(parent?.traceId, TRACE_ID);
    assert.equal(parent?.spanId, PARENT);
  });
});

describe('X-Amzn-Trace-Id: the same as @opentelemetry/propagator-aws-xray on the tidy form', () => {
  const stock = new AWSXRayPropagator();

  it('writes what the stock propagator writes', () => {
    const context = extract(`Root=${ROOT};Parent=${PARENT};Sampled=1`);
    const span = trace.getTracer('xray-header-test').startSpan('child', {}, context);
    span.end();
    const ours = {};
    const theirs = {};
    propagation.inject(trace.setSpan(context, span), ours, defaultTextMapSetter);
    stock.inject(trace.setSpan(context, span), theirs, defaultTextMapSetter);
    assert.equal(ours['X-Amzn-Trace-Id'], theirs['x-amzn-trace-id']);
  });

  it('reads what the stock propagator writes, and the other way round', () => {
    const context = trace.setSpanContext(ROOT_CONTEXT, { traceId: TRACE_ID, spanId: PARENT, traceFlags: TraceFlags.SAMPLED, isRemote: false });
    const theirs = {};
    stock.inject(context, theirs, defaultTextMapSetter);
    assert.deepEqual(trace.getSpanContext(propagation.extract(ROOT_CONTEXT, theirs)), { traceId: TRACE_ID, spanId: PARENT, traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const ours = {};
    propagation.inject(context, ours, defaultTextMapSetter);
    assert.deepEqual(trace.getSpanContext(stock.extract(ROOT_CONTEXT, ours, defaultTextMapGetter)), { traceId: TRACE_ID, spanId: PARENT, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  });

  it('keeps ids lower case where the caller sent upper-case hex', () => {
    const parent = parentOf(`Root=${ROOT.toUpperCase().replace('ROOT', 'Root')};Parent=${PARENT.toUpperCase()};Sampled=0`);
    assert.equal(parent.traceId, TRACE_ID);
    assert.equal(parent.spanId, PARENT);
    assert.equal(parent.traceFlags, TraceFlags.NONE);
  });
});
