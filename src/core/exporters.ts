import { getNumberFromEnv, getStringFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  type BufferConfig,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { ResolvedOptions } from './options.js';

const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'];

/** The standard `OTEL_BSP_*` settings; the SDK's BatchSpanProcessor no longer reads them itself. */
function batchConfigFromEnv(): BufferConfig {
  return {
    scheduledDelayMillis: getNumberFromEnv('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: getNumberFromEnv('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: getNumberFromEnv('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: getNumberFromEnv('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
}

function createOtlpExporter(endpoint: string | undefined): SpanExporter {
  const protocol = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!OTLP_PROTOCOLS.includes(protocol)) {
    throw new TypeError(`otel-xray: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL must be one of ${OTLP_PROTOCOLS.join(', ')} (got "${protocol}")`);
  }
  // Without `url` the exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT and _HEADERS itself.
  const config = endpoint === undefined ? {} : { url: endpoint };
  return protocol === 'http/json' ? new OTLPJsonExporter(config) : new OTLPProtoExporter(config);
}

/** The exporter named by the `exporter` option, or undefined for `none`. */
export function createExporter(options: ResolvedOptions): SpanExporter | undefined {
  const { exporter, endpoint } = options;
  if (typeof exporter !== 'string') return exporter;
  switch (exporter) {
    case 'none':
      return undefined;
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp':
      return createOtlpExporter(endpoint);
    case 'xray-daemon':
    case 'xray-otlp':
      throw new Error(`otel-xray: exporter '${exporter}' is not available yet`);
  }
}

/** Batches ended spans to the configured exporter: requests never wait for an export. */
export function createSpanProcessors(options: ResolvedOptions): SpanProcessor[] {
  const exporter = createExporter(options);
  return exporter === undefined ? [] : [new BatchSpanProcessor(exporter, batchConfigFromEnv())];
}
