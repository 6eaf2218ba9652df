import { type OtlpSpanRecord, BadPayload, checkedSpan } from './otlp-record.js';

/**
 * OTLP/HTTP JSON (the protobuf mapping: hex ids, enums as numbers, 64-bit integers as
 * strings or numbers) → span records. Anything not shaped like an export request is a
 * `BadPayload`.
 */

type Json = Record<string, unknown>;

const MAX_VALUE_DEPTH = 16;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function list(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new BadPayload(`${what} is not an array`);
  return value;
}

function object(value: unknown, what: string): Json {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new BadPayload(`${what} is not an object`);
  return value;
}

function text(value: unknown, what: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new BadPayload(`${what} is not a string`);
  return value;
}

function nanos(value: unknown, what: string): bigint {
  if (value === undefined || value === null) return 0n;
  if ((typeof value === 'string' && /^\d{1,20}$/.test(value)) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) return BigInt(value);
  throw new BadPayload(`${what} is not a time in nanoseconds`);
}

function integer(value: unknown, what: string): number {
  if (value === undefined || value === null) return 0;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number)) throw new BadPayload(`${what} is not an integer`);
  return number;
}

function anyValue(value: unknown, depth: number): unknown {
  if (depth > MAX_VALUE_DEPTH) throw new BadPayload('attribute values nested too deeply');
  const v = object(value, 'attribute value');
  if ('stringValue' in v) return text(v.stringValue, 'stringValue');
  if ('boolValue' in v) return v.boolValue === true;
  if ('intValue' in v) return integer(v.intValue, 'intValue');
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return list(object(v.arrayValue, 'arrayValue').values, 'arrayValue.values').map((item) => anyValue(item, depth + 1));
  if ('kvlistValue' in v) return keyValues(object(v.kvlistValue, 'kvlistValue').values, depth + 1);
  if ('bytesValue' in v) return text(v.bytesValue, 'bytesValue');
  return undefined;
}

function keyValues(value: unknown, depth = 0): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const entry of list(value, 'attributes')) {
    const pair = object(entry, 'attribute');
    if (typeof pair.key !== 'string') throw new BadPayload('an attribute has no key');
    result[pair.key] = anyValue(pair.value, depth + 1);
  }
  return result;
}

function decodeSpan(value: unknown, resource: Record<string, unknown>, scope: OtlpSpanRecord['scope']): OtlpSpanRecord {
  const span = object(value, 'span');
  const status = object(span.status, 'status');
  return checkedSpan({
    traceId: text(span.traceId, 'traceId').toLowerCase(),
    spanId: text(span.spanId, 'spanId').toLowerCase(),
    parentSpanId: text(span.parentSpanId, 'parentSpanId').toLowerCase(),
    name: text(span.name, 'name'),
    kind: integer(span.kind, 'kind'),
    startNanos: nanos(span.startTimeUnixNano, 'startTimeUnixNano'),
    endNanos: nanos(span.endTimeUnixNano, 'endTimeUnixNano'),
    attributes: keyValues(span.attributes),
    events: list(span.events, 'events').map((item) => {
      const event = object(item, 'event');
      return { name: text(event.name, 'event name'), timeNanos: nanos(event.timeUnixNano, 'event time'), attributes: keyValues(event.attributes) };
    }),
    links: list(span.links, 'links').map((item) => {
      const link = object(item, 'link');
      return { traceId: text(link.traceId, 'link traceId'), spanId: text(link.spanId, 'link spanId'), attributes: keyValues(link.attributes) };
    }),
    status: { code: integer(status.code, 'status code'), message: text(status.message, 'status message') },
    resource,
    scope,
  });
}

/** Decodes an OTLP/JSON `ExportTraceServiceRequest` body; throws `BadPayload` for anything else. */
export function decodeOtlpJson(body: string): OtlpSpanRecord[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new BadPayload(`not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(parsed)) throw new BadPayload('not an export request object');
  const spans: OtlpSpanRecord[] = [];
  for (const item of list(parsed.resourceSpans, 'resourceSpans')) {
    const resourceSpans = object(item, 'resourceSpans entry');
    const resource = keyValues(object(resourceSpans.resource, 'resource').attributes);
    for (const scoped of list(resourceSpans.scopeSpans, 'scopeSpans')) {
      const scopeSpans = object(scoped, 'scopeSpans entry');
      const scope = object(scopeSpans.scope, 'scope');
      const scopeInfo = { name: text(scope.name, 'scope name'), version: text(scope.version, 'scope version') };
      for (const span of list(scopeSpans.spans, 'spans')) spans.push(decodeSpan(span, resource, scopeInfo));
    }
  }
  return spans;
}
