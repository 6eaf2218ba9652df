// The flush before a Lambda handler returns is bounded: an exporter that does not answer costs
// the invocation at most flushTimeoutMs.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { trace } from '@opentelemetry/api';
import { startTracing } from 'otel-xray';
import { xrayLambda } from 'otel-xray/lambda';
import { lambdaContext } from './support/lambda-events.mjs';

/** An exporter that takes every batch and answers only when told to, like a collector that hangs. */
class HeldExporter {
  held = [];
  export(spans, done) {
    this.held.push({ spans, done });
  }
  release() {
    for (const { done } of this.held.splice(0)) done({ code: 0 });
  }
  async shutdown() {}
  async forceFlush() {}
}

const exporter = new HeldExporter();
let tracing;
before(() => {
  // Far longer than the test may run: only xrayLambda's own bound can end the wait.
  process.env.OTEL_BSP_EXPORT_TIMEOUT = '600000';
  tracing = startTracing({ exporter, flushOnSigterm: false, outbound: false });
});
after(async () => {
  exporter.release();
  await tracing.shutdown();
});

it('returns the result after flushTimeoutMs while the export still hangs', { timeout: 20_000 }, async () => {
  const handler = xrayLambda(
    async () => {
      trace.getTracer('flush-test').startSpan('work').end();
      return 'answered';
    },
    { flushTimeoutMs: 50 },
  );
  assert.equal(await handler({}, lambdaContext()), 'answered');
  assert.equal(exporter.held.length, 1, 'the export was started and is still unanswered');
  assert.deepEqual(exporter.held[0].spans.map((s) => s.name), ['work']);
  exporter.release();
});

it("never waits past the invocation's deadline, whatever flushTimeoutMs says", { timeout: 20_000 }, async () => {
  const handler = xrayLambda(
    async () => {
      trace.getTracer('flush-test').startSpan('late work').end();
      return 'late';
    },
    { flushTimeoutMs: 600_000 },
  );
  // 300 ms left: the flush may only use what is left beyond Lambda's margin.
  assert.equal(await handler({}, lambdaContext(300)), 'late');
  assert.equal(exporter.held.length, 1, 'the export is still unanswered');
  exporter.release();
});
