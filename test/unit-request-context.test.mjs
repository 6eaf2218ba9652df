// The context a request runs in behaves as the API's own: the span is found where trace.getSpan
// looks, the parent's values show through, and derived contexts keep or drop values the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOT_CONTEXT, createContextKey, trace } from '@opentelemetry/api';
import { RequestContext } from '../dist/esm/core/request/request-context.js';

const span = trace.wrapSpanContext({ traceId: '5759e988bd862e3fe1be46a994272793', spanId: '53995c3f42cd8ad8', traceFlags: 1 });
const parentSpan = trace.wrapSpanContext({ traceId: '5759e988bd862e3fe1be46a994272793', spanId: '1111111111111111', traceFlags: 1 });
const A = createContextKey('a');
const B = createContextKey('b');
const parent = trace.setSpan(ROOT_CONTEXT.setValue(A, 'from parent'), parentSpan);

describe('RequestContext', () => {
  it('holds the span over the parent, and shows the parent values through', () => {
    const context = new RequestContext(parent, span);
    assert.equal(trace.getSpan(context), span);
    assert.equal(context.getValue(A), 'from parent');
    assert.equal(context.getValue(B), undefined);
  });

  it('derives contexts as trace.setSpan(parent, span) would', () => {
    const ours = new RequestContext(parent, span);
    const api = trace.setSpan(parent, span);
    for (const [derivedOurs, derivedApi] of [
      [ours.setValue(B, 2), api.setValue(B, 2)],
      [ours.setValue(A, 'over'), api.setValue(A, 'over')],
      [ours.deleteValue(A), api.deleteValue(A)],
      [trace.deleteSpan(ours), trace.deleteSpan(api)],
      [trace.setSpan(ours, parentSpan), trace.setSpan(api, parentSpan)],
    ]) {
      for (const key of [A, B]) assert.equal(derivedOurs.getValue(key), derivedApi.getValue(key));
      assert.equal(trace.getSpan(derivedOurs), trace.getSpan(derivedApi));
    }
    // Deriving leaves the original unchanged.
    assert.equal(trace.getSpan(ours), span);
    assert.equal(ours.getValue(A), 'from parent');
    assert.equal(ours.getValue(B), undefined);
  });
});
