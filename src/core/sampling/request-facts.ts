import type { Attributes } from '@opentelemetry/api';

/** What X-Ray sampling rules match on, read from the attributes the server span starts with. */
export interface RequestFacts {
  method: string | undefined;
  path: string | undefined;
  host: string | undefined;
}

/** A string attribute as it is (an empty one included), else undefined. */
function stringAttribute(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Method, path and host from the stable HTTP attributes (see http-attributes.ts requestAttributes). */
export function requestFacts(attributes: Attributes): RequestFacts {
  return {
    method: stringAttribute(attributes['http.request.method_original']) ?? stringAttribute(attributes['http.request.method']),
    path: stringAttribute(attributes['url.path']),
    host: stringAttribute(attributes['server.address']),
  };
}
