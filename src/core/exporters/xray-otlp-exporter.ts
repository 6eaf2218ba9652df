import { getNumberFromEnv } from '@opentelemetry/core';
import {
  ExporterMetrics,
  OTLPExporterBase,
  createOtlpNetworkExportDelegate,
  getSharedConfigurationDefaults,
} from '@opentelemetry/otlp-exporter-base';
import { TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OtlpSpanSerializer } from './otlp-span-serializer.js';
import { type CredentialsProvider, SigV4Transport } from './sigv4-transport.js';
import { xrayOtlpUrl } from './exporter-settings.js';

export interface XRayOtlpExporterOptions {
  /** Default `https://xray.<region>.amazonaws.com/v1/traces`. */
  url?: string;
  region: string;
  credentials?: CredentialsProvider;
}

/**
 * Sends spans to X-Ray's OTLP endpoint with no collector in between: OTLP/HTTP protobuf,
 * encoded by our encoder, signed with SigV4 (service `xray`) using the default AWS credential chain. Batching limits,
 * timeouts and concurrency come from the OTLP exporter base; only the transport is ours.
 *
 * @example
 * new XRayOtlpExporter({ region: 'us-east-1' });
 */
export class XRayOtlpExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  readonly url: string;

  constructor(options: XRayOtlpExporterOptions) {
    const parsed = xrayOtlpUrl(options.region, options.url);
    const url = options.url ?? parsed.href;
    const settings = getSharedConfigurationDefaults();
    // OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT applies here as it does to the collector exporter.
    const timeout = getNumberFromEnv('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? getNumberFromEnv('OTEL_EXPORTER_OTLP_TIMEOUT');
    if (timeout !== undefined && timeout > 0) settings.timeoutMillis = timeout;
    super(
      createOtlpNetworkExportDelegate(
        settings,
        OtlpSpanSerializer,
        new ExporterMetrics({
          componentType: 'otlp_http_span_exporter',
          metricsHelper: TraceExporterMetricsHelper,
          url,
          meterProvider: undefined,
          responseAttributesFromError: () => ({}),
        }),
        new SigV4Transport({ url: parsed, region: options.region, credentials: options.credentials }),
      ),
    );
    this.url = url;
  }
}
