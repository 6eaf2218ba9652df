// One cold-start sample, in a fresh process: how long importing and starting the tracing setup
// takes. `node bench/cold-start.mjs otel-xray|otel-auto|none` prints {"setupMs", "readyMs"}:
// setupMs is the import + start alone, readyMs the time since the process began.
const mode = process.argv[2];
const t0 = performance.now();
if (mode === 'otel-xray') {
  const { startTracing } = await import('otel-xray');
  await import('otel-xray/express');
  startTracing({ serviceName: 'cold-start', flushOnSigterm: false });
} else if (mode === 'otel-auto') {
  // The documented zero-code registration (`--import …/register`), done from inside so it can be timed.
  await import('@opentelemetry/auto-instrumentations-node/register');
} else if (mode !== 'none') {
  throw new Error(`unknown mode ${mode}`);
}
const t1 = performance.now();
process.stdout.write(`${JSON.stringify({ setupMs: t1 - t0, readyMs: t1 })}\n`);
process.exit(0);
