import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { type BufferConfig, BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { DEFAULT_MAX_QUEUE_SIZE, DropCountingProcessor } from './drop-counting-processor.js';
import { DEFAULT_DAEMON_ADDRESS, parseDaemonAddress } from './daemon-address.js';
import { ExportPipeline } from './export-pipeline.js';
export type { ExportPipeline } from './export-pipeline.js';
import { FailureLoggingExporter } from './failure-log.js';
import { otlpProtocol, otlpTarget, regionFromEnv, xrayOtlpUrl } from './exporter-settings.js';
import { LazyExporter } from './lazy-exporter.js';
import { loadSigV4Packages } from './sigv4-packages.js';
import { XRayDaemonExporter } from './xray-daemon-exporter.js';
import type { ResolvedOptions } from '../setup/options.js';

/** The standard `OTEL_BSP_*` settings; the SDK's BatchSpanProcessor no longer reads them itself. */
function batchConfigFromEnv(): BufferConfig {
  return {
    scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
}

function createDaemonExporter(endpoint: string | undefined): SpanExporter {
  const fromEnv = getStringFromEnv('AWS_XRAY_DAEMON_ADDRESS');
  const address =
    endpoint !== undefined
      ? parseDaemonAddress(endpoint.replace(/^udp:\/\//i, ''), 'endpoint')
      : parseDaemonAddress(fromEnv ?? DEFAULT_DAEMON_ADDRESS, 'AWS_XRAY_DAEMON_ADDRESS');
  return new FailureLoggingExporter(new XRayDaemonExporter(address), `the X-Ray daemon at udp:${address.host}:${address.port}`);
}

// The OTLP exporters load on first export (see LazyExporter); their settings are checked now.
function createCollectorExporter(endpoint: string | undefined): SpanExporter {
  otlpProtocol();
  const exporter = new LazyExporter(async () => (await import('./otlp-exporter.js')).createOtlpExporter(endpoint));
  return new FailureLoggingExporter(exporter, `the OTLP collector at ${otlpTarget(endpoint)}`);
}

function createXRayOtlpExporter(endpoint: string | undefined): SpanExporter {
  const region = regionFromEnv();
  const target = endpoint ?? xrayOtlpUrl(region, endpoint).href;
  xrayOtlpUrl(region, target);
  const exporter = new LazyExporter(async () => {
    // Optional peers: a missing one fails each export with an error that names it.
    await loadSigV4Packages();
    return new (await import('./xray-otlp-exporter.js')).XRayOtlpExporter({ region, url: endpoint });
  });
  return new FailureLoggingExporter(exporter, `X-Ray's OTLP endpoint ${target}`);
}

/**
 * The exporter named by the `exporter` option, or undefined for `none`. Network exporters are
 * wrapped so an outage logs one warning per burst of failures, not one per batch.
 *
 * @example
 * createExporter(resolveOptions({ exporter: 'xray-daemon' }));
 */
export function createExporter(options: ResolvedOptions): SpanExporter | undefined {
  const { exporter, endpoint } = options;
  if (typeof exporter !== 'string') return exporter;
  switch (exporter) {
    case 'none':
      return undefined;
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp':
      return createCollectorExporter(endpoint);
    case 'xray-daemon':
      return createDaemonExporter(endpoint);
    case 'xray-otlp':
      return createXRayOtlpExporter(endpoint);
  }
}

/** Default of OTEL_BSP_EXPORT_TIMEOUT. */
const DEFAULT_EXPORT_TIMEOUT_MS = 30000;

/**
 * Batches ended spans to the configured exporter: requests never wait for an export. The
 * queue is bounded (OTEL_BSP_MAX_QUEUE_SIZE, default 2048); when it is full, new spans are
 * dropped and counted, with one warning per burst. Every exporter, the app's own included,
 * is counted for `tracing.stats()` and logs one warning per outage.
 */
export function createExportPipeline(options: ResolvedOptions): ExportPipeline {
  const created = createExporter(options);
  if (created === undefined) return new ExportPipeline([]);
  const config = batchConfigFromEnv();
  const exportTimeout = config.exportTimeoutMillis !== undefined && config.exportTimeoutMillis > 0 ? config.exportTimeoutMillis : DEFAULT_EXPORT_TIMEOUT_MS;
  // A little under the batch processor's own timeout, so a slow export is our failure to count, not its error to print.
  const timeoutMillis = Math.max(1, Math.floor(exportTimeout * 0.9));
  const exporter =
    created instanceof FailureLoggingExporter
      ? created
      : new FailureLoggingExporter(created, typeof options.exporter === 'string' ? `the ${options.exporter} exporter` : "the app's exporter");
  exporter.timeoutMillis = timeoutMillis;
  const batch = new BatchSpanProcessor(exporter, config);
  const maxQueueSize = config.maxQueueSize !== undefined && config.maxQueueSize > 0 ? config.maxQueueSize : DEFAULT_MAX_QUEUE_SIZE;
  const bounded = new DropCountingProcessor(
    batch,
    maxQueueSize,
    () => exporter.failing,
    () => exporter.forceFlush(),
  );
  exporter.onTaken = (count) => bounded.taken(count);
  return new ExportPipeline([bounded], bounded, exporter);
}
