import { getStringFromEnv } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { diag } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import { errorMessage } from '../common/index.js';
import { guardedAgent } from '../net/index.js';
import { otlpProtocol } from './exporter-settings.js';
import { OtlpProtobufExporter } from './otlp-protobuf-exporter.js';

/**
 * The TLS files named by OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE, _CLIENT_CERTIFICATE and
 * _CLIENT_KEY. The exporter reads them only for agents it makes itself, and it uses ours.
 */
function tlsFilesFromEnv(): { ca?: Buffer; cert?: Buffer; key?: Buffer } {
  const files: { ca?: Buffer; cert?: Buffer; key?: Buffer } = {};
  const read = (name: string, option: keyof typeof files): void => {
    const path = getStringFromEnv(`OTEL_EXPORTER_OTLP_TRACES_${name}`) ?? getStringFromEnv(`OTEL_EXPORTER_OTLP_${name}`);
    if (path === undefined) return;
    try {
      files[option] = readFileSync(path);
    } catch (error) {
      diag.warn(`otel-xray: cannot read the file of OTEL_EXPORTER_OTLP_${name} (${path}): ${errorMessage(error)}`);
    }
  };
  read('CERTIFICATE', 'ca');
  read('CLIENT_CERTIFICATE', 'cert');
  read('CLIENT_KEY', 'key');
  return files;
}

/** Keep-alive agents whose sockets no network fault can make raise an unhandled 'error' (see guardAgent). */
function guardedAgentFactory(): (protocol: string) => Promise<Agent> {
  return async (protocol) => guardedAgent(protocol, protocol === 'https:' ? tlsFilesFromEnv() : {});
}

/**
 * The OTLP/HTTP exporter for a collector (the ADOT collector, typically): protobuf, encoded by
 * our encoder, unless OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL says http/json (the SDK's exporter,
 * unchanged). It retries 429/502/503/504 with backoff.
 * Its sockets are guarded: a reset at any moment fails the export, never the process.
 *
 * @example
 * createOtlpExporter('http://collector:4318/v1/traces');
 */
export function createOtlpExporter(endpoint: string | undefined): SpanExporter {
  const protocol = otlpProtocol();
  // Without `url` the exporter reads OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT and _HEADERS itself.
  const config = { ...(endpoint === undefined ? {} : { url: endpoint }), httpAgentOptions: guardedAgentFactory() };
  return protocol === 'http/json' ? new OTLPJsonExporter(config) : new OtlpProtobufExporter(config);
}
