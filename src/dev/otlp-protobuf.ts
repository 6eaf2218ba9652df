import { type OtlpSpanRecord, BadPayload, checkedSpan } from './otlp-record.js';
import { type ProtobufReader, WIRE, readMessage } from './protobuf-reader.js';

/**
 * OTLP/HTTP protobuf (`ExportTraceServiceRequest`, opentelemetry-proto trace/v1) → span
 * records. Field numbers follow the .proto files; unknown fields are skipped as protobuf
 * requires, and a field with the wrong wire type makes the whole payload bad.
 */

/** Nesting of array and key-value-list attribute values that a real exporter never exceeds. */
const MAX_VALUE_DEPTH = 16;

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

function expect(wire: number, expected: number, what: string): void {
  if (wire !== expected) throw new BadPayload(`${what}: wire type ${wire}, expected ${expected}`);
}

function anyValue(bytes: Uint8Array, depth: number): unknown {
  if (depth > MAX_VALUE_DEPTH) throw new BadPayload('attribute values nested too deeply');
  let value: unknown;
  readMessage(bytes, (reader, field, wire) => {
    switch (field) {
      case 1: expect(wire, WIRE.LENGTH, 'string_value'); value = reader.string(); return true;
      case 2: expect(wire, WIRE.VARINT, 'bool_value'); value = reader.varint() !== 0n; return true;
      case 3: expect(wire, WIRE.VARINT, 'int_value'); value = Number(BigInt.asIntN(64, reader.varint())); return true;
      case 4: expect(wire, WIRE.FIXED64, 'double_value'); value = reader.double(); return true;
      case 5: {
        expect(wire, WIRE.LENGTH, 'array_value');
        const values: unknown[] = [];
        readMessage(reader.bytesField(), (inner, innerField, innerWire) => {
          if (innerField !== 1) return false;
          expect(innerWire, WIRE.LENGTH, 'array value');
          values.push(anyValue(inner.bytesField(), depth + 1));
          return true;
        });
        value = values;
        return true;
      }
      case 6: expect(wire, WIRE.LENGTH, 'kvlist_value'); value = keyValues(reader.bytesField(), depth + 1); return true;
      case 7: expect(wire, WIRE.LENGTH, 'bytes_value'); value = Buffer.from(reader.bytesField()).toString('base64'); return true;
      default: return false;
    }
  });
  return value;
}

/** A message whose repeated field 1 is `KeyValue` (KeyValueList), as an object. */
function keyValues(bytes: Uint8Array, depth: number): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  readMessage(bytes, (reader, field, wire) => {
    if (field !== 1) return false;
    expect(wire, WIRE.LENGTH, 'key-value');
    addKeyValue(result, reader.bytesField(), depth);
    return true;
  });
  return result;
}

function addKeyValue(target: Record<string, unknown>, bytes: Uint8Array, depth: number): void {
  let key = '';
  let value: unknown;
  readMessage(bytes, (reader, field, wire) => {
    if (field === 1) {
      expect(wire, WIRE.LENGTH, 'key');
      key = reader.string();
    } else if (field === 2) {
      expect(wire, WIRE.LENGTH, 'value');
      value = anyValue(reader.bytesField(), depth + 1);
    } else {
      return false;
    }
    return true;
  });
  target[key] = value;
}

/** Reads repeated `KeyValue` field `attributeField` of a message into `target`, passing other fields on. */
function withAttributes(attributeField: number, target: Record<string, unknown>, other: (reader: ProtobufReader, field: number, wire: number) => boolean) {
  return (reader: ProtobufReader, field: number, wire: number): boolean => {
    if (field !== attributeField) return other(reader, field, wire);
    expect(wire, WIRE.LENGTH, 'attribute');
    addKeyValue(target, reader.bytesField(), 0);
    return true;
  };
}

function decodeEvent(bytes: Uint8Array): OtlpSpanRecord['events'][number] {
  const event = { name: '', timeNanos: 0n, attributes: {} };
  readMessage(bytes, withAttributes(3, event.attributes, (reader, field, wire) => {
    if (field === 1) { expect(wire, WIRE.FIXED64, 'event time'); event.timeNanos = reader.fixed64(); }
    else if (field === 2) { expect(wire, WIRE.LENGTH, 'event name'); event.name = reader.string(); }
    else return false;
    return true;
  }));
  return event;
}

function decodeLink(bytes: Uint8Array): OtlpSpanRecord['links'][number] {
  const link = { traceId: '', spanId: '', attributes: {} };
  readMessage(bytes, withAttributes(4, link.attributes, (reader, field, wire) => {
    if (field === 1) { expect(wire, WIRE.LENGTH, 'link trace id'); link.traceId = hex(reader.bytesField()); }
    else if (field === 2) { expect(wire, WIRE.LENGTH, 'link span id'); link.spanId = hex(reader.bytesField()); }
    else return false;
    return true;
  }));
  return link;
}

function decodeStatus(bytes: Uint8Array): OtlpSpanRecord['status'] {
  const status = { code: 0, message: '' };
  readMessage(bytes, (reader, field, wire) => {
    if (field === 2) { expect(wire, WIRE.LENGTH, 'status message'); status.message = reader.string(); }
    else if (field === 3) { expect(wire, WIRE.VARINT, 'status code'); status.code = Number(reader.varint()); }
    else return false;
    return true;
  });
  return status;
}

function decodeSpan(bytes: Uint8Array, resource: Record<string, unknown>, scope: OtlpSpanRecord['scope']): OtlpSpanRecord {
  const span: OtlpSpanRecord = {
    traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, startNanos: 0n, endNanos: 0n,
    attributes: {}, events: [], links: [], status: { code: 0, message: '' }, resource, scope,
  };
  readMessage(bytes, withAttributes(9, span.attributes, (reader, field, wire) => {
    switch (field) {
      case 1: expect(wire, WIRE.LENGTH, 'trace id'); span.traceId = hex(reader.bytesField()); return true;
      case 2: expect(wire, WIRE.LENGTH, 'span id'); span.spanId = hex(reader.bytesField()); return true;
      case 4: expect(wire, WIRE.LENGTH, 'parent span id'); span.parentSpanId = hex(reader.bytesField()); return true;
      case 5: expect(wire, WIRE.LENGTH, 'name'); span.name = reader.string(); return true;
      case 6: expect(wire, WIRE.VARINT, 'kind'); span.kind = Number(reader.varint()); return true;
      case 7: expect(wire, WIRE.FIXED64, 'start time'); span.startNanos = reader.fixed64(); return true;
      case 8: expect(wire, WIRE.FIXED64, 'end time'); span.endNanos = reader.fixed64(); return true;
      case 11: expect(wire, WIRE.LENGTH, 'event'); span.events.push(decodeEvent(reader.bytesField())); return true;
      case 13: expect(wire, WIRE.LENGTH, 'link'); span.links.push(decodeLink(reader.bytesField())); return true;
      case 15: expect(wire, WIRE.LENGTH, 'status'); span.status = decodeStatus(reader.bytesField()); return true;
      default: return false;
    }
  }));
  return checkedSpan(span);
}

function decodeScopeSpans(bytes: Uint8Array, resource: Record<string, unknown>, out: OtlpSpanRecord[]): void {
  const scope = { name: '', version: '' };
  const spans: Uint8Array[] = [];
  readMessage(bytes, (reader, field, wire) => {
    if (field === 1) {
      expect(wire, WIRE.LENGTH, 'scope');
      readMessage(reader.bytesField(), (inner, innerField, innerWire) => {
        if (innerField === 1) { expect(innerWire, WIRE.LENGTH, 'scope name'); scope.name = inner.string(); }
        else if (innerField === 2) { expect(innerWire, WIRE.LENGTH, 'scope version'); scope.version = inner.string(); }
        else return false;
        return true;
      });
    } else if (field === 2) {
      expect(wire, WIRE.LENGTH, 'span');
      spans.push(reader.bytesField());
    } else {
      return false;
    }
    return true;
  });
  // The scope may come after its spans on the wire, so spans are decoded once it is known.
  for (const span of spans) out.push(decodeSpan(span, resource, scope));
}

function decodeResourceSpans(bytes: Uint8Array, out: OtlpSpanRecord[]): void {
  const resource: Record<string, unknown> = {};
  const scopeSpans: Uint8Array[] = [];
  readMessage(bytes, (reader, field, wire) => {
    if (field === 1) {
      expect(wire, WIRE.LENGTH, 'resource');
      readMessage(reader.bytesField(), withAttributes(1, resource, () => false));
    } else if (field === 2) {
      expect(wire, WIRE.LENGTH, 'scope spans');
      scopeSpans.push(reader.bytesField());
    } else {
      return false;
    }
    return true;
  });
  for (const scoped of scopeSpans) decodeScopeSpans(scoped, resource, out);
}

/** Decodes an `ExportTraceServiceRequest`; throws `BadPayload` for anything that is not one. */
export function decodeOtlpProtobuf(bytes: Uint8Array): OtlpSpanRecord[] {
  const spans: OtlpSpanRecord[] = [];
  try {
    readMessage(bytes, (reader, field, wire) => {
      if (field !== 1) return false;
      expect(wire, WIRE.LENGTH, 'resource spans');
      decodeResourceSpans(reader.bytesField(), spans);
      return true;
    });
  } catch (error) {
    throw error instanceof BadPayload ? error : new BadPayload(error instanceof Error ? error.message : String(error));
  }
  return spans;
}
