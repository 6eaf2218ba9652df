/**
 * @module otel-xray/register
 * Zero-code start: `node --import otel-xray/register app.mjs` or `node --require otel-xray/register app.js`.
 * Configured by the environment alone (OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER, OTEL_TRACES_SAMPLER, …).
 */
import { type Tracing, errorMessage, startTracing } from './core/index.js';
import { startZeroCodeTracing } from './zero-code.js';

let tracing: Tracing | undefined;
try {
  tracing = startTracing();
  startZeroCodeTracing();
} catch (error) {
  void tracing?.shutdown();
  // A bad environment must not stop the app: say so once and let it run untraced.
  const reason = errorMessage(error).replace(/^otel-xray: /, '');
  console.error(`otel-xray: tracing is off: ${reason}`);
}
