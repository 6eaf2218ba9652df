// A process that exports one batch through otel-xray's OTLP or X-Ray OTLP (SigV4) exporter, then
// reports whether it is still alive. Run by the reliability suite against misbehaving endpoints on 127.0.0.1.
//   EFA_EXPORTER=otlp|xray-otlp  EFA_ENDPOINT=<URL>  EFA_SPANS=<count>  EFA_ATTRIBUTE_BYTES=<bytes of text per span>
// Prints `alive` on stdout a while after the export settled, then exits 0; a crash exits non-zero.
import { trace } from '@opentelemetry/api';
import { startTracing } from 'otel-xray';

const tracing = startTracing({
  serviceName: 'export-fault-app',
  exporter: process.env.EFA_EXPORTER ?? 'otlp',
  endpoint: process.env.EFA_ENDPOINT,
  outbound: false,
  flushOnSigterm: false,
});
const tracer = trace.getTracer('export-fault-app');
const text = 'x'.repeat(Number(process.env.EFA_ATTRIBUTE_BYTES ?? 8192));
for (let i = 0; i < Number(process.env.EFA_SPANS ?? 512); i++) {
  tracer.startSpan(`span ${i}`, { attributes: { payload: text } }).end();
}
await tracing.forceFlush();
// The reset arrives about 50 ms after the early answer; give it time to surface.
await new Promise((resolve) => setTimeout(resolve, 500));
process.stdout.write('alive\n');
await tracing.shutdown();
