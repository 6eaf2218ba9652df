import type { Attributes } from '@opentelemetry/api';

/** What X-Ray sampling rules match on, read from the attributes the server span starts with. */
export interface RequestFacts {
  method: string | undefined;
  path: string | undefined;
  host: string | undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Method, path and host from the stable HTTP attributes (see http-attributes.ts requestAttributes). */
export function requestFacts(attributes: Attributes): RequestFacts {
  return {
    method: text(attributes['http.request.method_original']) ?? text(attributes['http.request.method']),
    path: text(attributes['url.path']),
    host: text(attributes['server.address']),
  };
}
