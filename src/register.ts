/**
 * @module otel-xray/register
 * Zero-code start: `node --import otel-xray/register app.mjs` or `node --require otel-xray/register app.js`.
 * Configured by the environment alone (OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER, …).
 */
import { startTracing } from './core/setup/start-tracing.js';
import type { Tracing } from './core/types.js';
import { startZeroCodeTracing } from './zero-code.js';

let tracing: Tracing | undefined;
try {
  tracing = startTracing();
  startZeroCodeTracing();
} catch (error) {
  void tracing?.shutdown();
  // A bad environment must not stop the app: say so once and let it run untraced.
  const reason = error instanceof Error ? error.message.replace(/^otel-xray: /, '') : String(error);
  console.error(`otel-xray: tracing is off: ${reason}`);
}
