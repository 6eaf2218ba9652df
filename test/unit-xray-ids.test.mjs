// The X-Ray id generator on its own: the id formats X-Ray accepts, and a named next trace id.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XRayIdGenerator } from '../dist/esm/core/xray/id-generator.js';

const SAMPLES = 2000;

describe('XRayIdGenerator', () => {
  it('starts each trace id with the current epoch second in 8 hex digits, then 24 random ones', () => {
    const ids = new XRayIdGenerator();
    const before = Math.floor(Date.now() / 1000);
    const traceIds = Array.from({ length: SAMPLES }, () => ids.generateTraceId());
    const after = Math.floor(Date.now() / 1000);
    for (const traceId of traceIds) {
      assert.match(traceId, /^[0-9a-f]{32}$/);
      const second = parseInt(traceId.slice(0, 8), 16);
      assert.ok(second >= before && second <= after, traceId);
    }
    assert.equal(new Set(traceIds.map((id) => id.slice(8))).size, SAMPLES);
  });

  it('makes 16-hex-digit span ids that are never all zeros and do not repeat', () => {
    const ids = new XRayIdGenerator();
    const spanIds = Array.from({ length: SAMPLES }, () => ids.generateSpanId());
    for (const spanId of spanIds) assert.match(spanId, /^(?!0{16})[0-9a-f]{16}$/);
    assert.equal(new Set(spanIds).size, SAMPLES);
  });

  it('answers 0000000000000001 for the all-zero span id, as the AWS X-Ray id generator does', (t) => {
    const ids = new XRayIdGenerator();
    t.mock.method(Math, 'random', () => 0);
    assert.equal(ids.generateSpanId(), '0000000000000001');
    assert.match(ids.generateTraceId(), /^[0-9a-f]{8}0{24}$/);
  });

  it('writes each random bit where it belongs: all ones are all f', (t) => {
    const ids = new XRayIdGenerator();
    t.mock.method(Math, 'random', () => (2 ** 32 - 1) / 2 ** 32);
    assert.equal(ids.generateSpanId(), 'ffffffffffffffff');
    assert.match(ids.generateTraceId(), /^[0-9a-f]{8}f{24}$/);
  });

  it('uses every hex digit in every random position', () => {
    const ids = new XRayIdGenerator();
    const seen = Array.from({ length: 16 + 24 }, () => new Set());
    for (let i = 0; i < SAMPLES; i++) {
      [...ids.generateSpanId()].forEach((digit, at) => seen[at].add(digit));
      [...ids.generateTraceId().slice(8)].forEach((digit, at) => seen[16 + at].add(digit));
    }
    for (const digits of seen) assert.equal(digits.size, 16);
  });

  it('hands out named ids once, then random ones again', () => {
    const ids = new XRayIdGenerator();
    ids.presetNext('5759e988bd862e3fe1be46a994272793', '53995c3f42cd8ad8');
    assert.equal(ids.generateSpanId(), '53995c3f42cd8ad8');
    assert.equal(ids.generateTraceId(), '5759e988bd862e3fe1be46a994272793');
    assert.notEqual(ids.generateTraceId(), '5759e988bd862e3fe1be46a994272793');
    assert.notEqual(ids.generateSpanId(), '53995c3f42cd8ad8');
  });

  it('names only the ids it is given: a span id alone leaves trace ids random', () => {
    const ids = new XRayIdGenerator();
    ids.presetNext(undefined, '53995c3f42cd8ad8');
    assert.match(ids.generateTraceId(), /^[0-9a-f]{32}$/);
    assert.equal(ids.generateSpanId(), '53995c3f42cd8ad8');
  });
});
