import { getStringFromEnv } from '@opentelemetry/core';
import { invalidOption } from '../common/index.js';

/**
 * What the network exporters read from options and the environment, checked at start-up so a
 * wrong setting fails `startTracing()`, while the exporters themselves load on first export.
 */

const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];
const DEFAULT_OTLP_ENDPOINT = 'http://localhost:4318/v1/traces';

/** Where OTLP spans go: the option, else the OTLP environment variables, else the local collector. */
export function otlpTarget(endpoint: string | undefined): string {
  if (endpoint !== undefined) return endpoint;
  const traces = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (traces !== undefined) return traces;
  const base = getStringFromEnv('OTEL_EXPORTER_OTLP_ENDPOINT');
  return base === undefined ? DEFAULT_OTLP_ENDPOINT : `${base.replace(/\/$/, '')}/v1/traces`;
}

/** OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL, default http/protobuf; a TypeError for any other value. */
export function otlpProtocol(): OtlpProtocol {
  const protocol = getStringFromEnv('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? getStringFromEnv('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (!(OTLP_PROTOCOLS as readonly string[]).includes(protocol)) {
    throw invalidOption('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', `one of ${OTLP_PROTOCOLS.join(', ')}`, protocol);
  }
  return protocol as OtlpProtocol;
}

/** The region from AWS_REGION / AWS_DEFAULT_REGION; a start-up TypeError when neither is set. */
export function regionFromEnv(): string {
  const region = (process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION)?.trim();
  if (region === undefined || region === '') {
    throw new TypeError("otel-xray: exporter 'xray-otlp' needs an AWS region: set AWS_REGION or AWS_DEFAULT_REGION (e.g. us-east-1)");
  }
  return region;
}

/** X-Ray's OTLP endpoint: `url`, else the region's; a TypeError unless it is an http(s) URL. */
export function xrayOtlpUrl(region: string, url: string | undefined): URL {
  const target = url ?? `https://xray.${region}.amazonaws.com/v1/traces`;
  let parsed: URL;
  try {
    parsed = new URL(target);
  } catch {
    throw invalidOption('endpoint', "an http(s) URL for exporter 'xray-otlp'", target);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalidOption('endpoint', "an http(s) URL for exporter 'xray-otlp'", target);
  }
  return parsed;
}
