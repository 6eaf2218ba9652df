import { getNumberFromEnv } from '@opentelemetry/core';
import {
  ExporterMetrics,
  OTLPExporterBase,
  createOtlpNetworkExportDelegate,
  getSharedConfigurationDefaults,
} from '@opentelemetry/otlp-exporter-base';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type CredentialsProvider, SigV4Transport } from './sigv4-transport.js';
import { invalidOption } from '../common/index.js';

export interface XRayOtlpExporterOptions {
  /** Default `https://xray.<region>.amazonaws.com/v1/traces`. */
  url?: string;
  region: string;
  credentials?: CredentialsProvider;
}

/** The region from AWS_REGION / AWS_DEFAULT_REGION; a start-up TypeError when neither is set. */
export function regionFromEnv(): string {
  const region = (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION)?.trim();
  if (region === undefined || region === '') {
    throw new TypeError("otel-xray: exporter 'xray-otlp' needs an AWS region: set AWS_REGION or AWS_DEFAULT_REGION (e.g. us-east-1)");
  }
  return region;
}

/**
 * Sends spans to X-Ray's OTLP endpoint with no collector in between: OTLP/HTTP protobuf,
 * signed with SigV4 (service `xray`) using the default AWS credential chain. Batching limits,
 * timeouts and concurrency come from the OTLP exporter base; only the transport is ours.
 *
 * @example
 * new XRayOtlpExporter({ region: 'us-east-1' });
 */
export class XRayOtlpExporter extends OTLPExporterBase<ReadableSpan[]> implements SpanExporter {
  readonly url: string;

  constructor(options: XRayOtlpExporterOptions) {
    const url = options.url ?? `https://xray.${options.region}.amazonaws.com/v1/traces`;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw invalidOption('endpoint', "an http(s) URL for exporter 'xray-otlp'", url);
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
      throw invalidOption('endpoint', "an http(s) URL for exporter 'xray-otlp'", url);
    }
    const settings = getSharedConfigurationDefaults();
    // OTEL_EXPORTER_OTLP_[TRACES_]TIMEOUT applies here as it does to the collector exporter.
    const timeout = getNumberFromEnv('OTEL_EXPORTER_OTLP_TRACES_TIMEOUT') ?? getNumberFromEnv('OTEL_EXPORTER_OTLP_TIMEOUT');
    if (timeout !== undefined && timeout > 0) settings.timeoutMillis = timeout;
    super(
      createOtlpNetworkExportDelegate(
        settings,
        ProtobufTraceSerializer,
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
