// Which requests are handed to the propagator: only those with a header it reads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callerHeadersCheck } from '../dist/esm/core/request/caller-headers.js';

const DEFAULT_FIELDS = ['X-Amzn-Trace-Id', 'traceparent', 'tracestate', 'baggage'];

describe('callerHeadersCheck', () => {
  it('with the default propagators, finds each of their headers alone, and none in a request without them', () => {
    const hasCallerHeaders = callerHeadersCheck(DEFAULT_FIELDS);
    for (const name of ['x-amzn-trace-id', 'traceparent', 'tracestate', 'baggage']) {
      assert.equal(hasCallerHeaders({ host: 'a', [name]: 'x' }), true, name);
    }
    assert.equal(hasCallerHeaders({ host: 'a', 'user-agent': 'b', 'x-amzn-trace-idx': 'c' }), false);
    assert.equal(hasCallerHeaders({}), false);
  });

  it('with fewer propagators, still finds each header they read', () => {
    assert.equal(callerHeadersCheck(['X-Amzn-Trace-Id'])({ 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' }), true);
    assert.equal(callerHeadersCheck(['traceparent', 'tracestate'])({ tracestate: 'a=b' }), true);
    assert.equal(callerHeadersCheck([])({ host: 'a' }), false);
  });

  it('with a header outside the default ones, looks for exactly the named headers', () => {
    const hasCallerHeaders = callerHeadersCheck(['X-B3-TraceId', 'traceparent']);
    assert.equal(hasCallerHeaders({ 'x-b3-traceid': '463ac35c9f6413ad' }), true);
    assert.equal(hasCallerHeaders({ traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }), true);
    assert.equal(hasCallerHeaders({ 'x-amzn-trace-id': 'Root=1-5759e988-bd862e3fe1be46a994272793' }), false);
  });
});
