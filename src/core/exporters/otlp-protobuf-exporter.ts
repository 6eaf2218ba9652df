import { type OTLPExporterNodeConfigBase, OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate } from '@opentelemetry/otlp-exporter-base/node-http';
import { TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtlpSpanSerializer } from './otlp-span-serializer.js';

/**
 * OTLP/HTTP protobuf to a collector, built as the SDK builds its own proto exporter (same
 * configuration, headers, environment variables, retries, timeouts and concurrency limit), with
 * our encoder in place of the SDK's: the same bytes for a quarter of the instructions.
 *
 * @example
 * new OtlpProtobufExporter({ url: 'http://collector:4318/v1/traces' });
 */
export class OtlpProtobufExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  constructor(config: OTLPExporterNodeConfigBase = {}) {
    super(
      createOtlpHttpExportDelegate(
        convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' }),
        OtlpSpanSerializer,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
      ),
    );
  }
}
