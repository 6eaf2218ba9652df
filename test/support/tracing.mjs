// Shared test set-up: tracing into an in-memory exporter, and a way to wait for spans.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { startTracing } from 'otel-xray';

/** Starts tracing into memory. `spans(n)` waits until at least n spans have ended and returns them all. */
export function startMemoryTracing(options = {}) {
  const exporter = new InMemorySpanExporter();
  const tracing = startTracing({ exporter, flushOnSigterm: false, outbound: false, ...options });
  async function spans(count = 1, timeoutMs = 5000) {
    return pollUntil(
      async () => {
        await tracing.forceFlush();
        const finished = exporter.getFinishedSpans();
        return finished.length >= count ? finished : undefined;
      },
      timeoutMs,
      () => `expected ${count} spans, got ${exporter.getFinishedSpans().map((s) => s.name).join(', ') || 'none'}`,
    );
  }
  return { exporter, tracing, spans, reset: () => exporter.reset() };
}

/** Listens on 127.0.0.1 on a free port; returns the base URL and a close function. */
export async function listen(server) {
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return { url: `http://127.0.0.1:${port}`, port, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** The X-Ray form of an OTel trace id. */
export { formatRoot as xrayTraceId } from '../../dist/esm/core/xray/header.js';

/** Calls `check` every 10 ms until it returns something other than undefined; throws `describe()` after `timeoutMs`. */
export async function pollUntil(check, timeoutMs, describe) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result !== undefined) return result;
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Waits until at least `count` of `items()` pass `filter`, then returns those; bounded by
 * `timeoutMs`. `what` names the items in the timeout error (a function is asked at that time).
 */
export function waitForItems(items, count, filter, timeoutMs, what) {
  return pollUntil(
    () => {
      const matching = items().filter(filter);
      return matching.length >= count ? matching : undefined;
    },
    timeoutMs,
    () => `expected ${count} ${typeof what === 'function' ? what() : what}, got ${items().filter(filter).length}`,
  );
}
