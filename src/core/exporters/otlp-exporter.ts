import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { otlpProtocol } from './exporter-settings.js';

/**
 * The OTLP/HTTP exporter for a collector (the ADOT collector, typically): protobuf unless
 * OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL says http/json. It retries 429/502/503/504 with backoff.
 *
 * @example
 * createOtlpExporter('http://collector:4318/v1/traces');
 */
export function createOtlpExporter(endpoint: string | undefined): SpanExporter {
  const protocol = otlpProtocol();
  // Without `url` the exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT and _HEADERS itself.
  const config = endpoint === undefined ? {} : { url: endpoint };
  return protocol === 'http/json' ? new OTLPJsonExporter(config) : new OTLPProtoExporter(config);
}
