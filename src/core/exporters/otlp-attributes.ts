import type { Attributes } from '@opentelemetry/api';
import { type ProtobufWriter, varintSize } from './protobuf-writer.js';

/**
 * Attributes as OTLP KeyValues, with the SDK's value rules: strings, booleans, integers in
 * [-2^63, 2^63) as int_value and other numbers as double_value, Uint8Array as bytes, arrays,
 * other objects as key-value lists, and an empty AnyValue for anything else (undefined).
 *
 * Attribute keys come from code and many values repeat from span to span (the method, the
 * route, the host, the user agent, the status), so encoded KeyValues are kept by key and value
 * and copied as they are. A key whose values do not repeat (a path with ids, a client address)
 * stops being looked up by value; the caches are bounded, so data cannot grow them forever.
 */

const KEY_VALUE_KEY = 0x0a;
const KEY_VALUE_VALUE = 0x12;
const ANY_STRING = 0x0a;
const ANY_BOOL = 0x10;
const ANY_INT = 0x18;
const ANY_DOUBLE = 0x21;
const ANY_ARRAY = 0x2a;
const ANY_KVLIST = 0x32;
const ANY_BYTES = 0x3a;
const ARRAY_VALUES = 0x0a;
const KVLIST_VALUES = 0x0a;

const MIN_INT64 = -(2 ** 63);
const MAX_INT64 = 2 ** 63;

const MAX_CACHED_KEYS = 512;
const MAX_VALUES_PER_KEY = 16;
const MAX_CACHED_STRING = 256;
/** Once a key's values fill its cache, its lookups are judged over this many misses. */
const MISSES_JUDGED = 256;

type Scalar = string | number | boolean;

interface KeyEntry {
  /** KeyValue.key encoded: tag, length, UTF-8. */
  readonly keyField: Uint8Array;
  /** Whole KeyValue bodies by value; undefined once this key's values proved not to repeat. */
  pairs: Map<Scalar, Uint8Array> | undefined;
  hits: number;
  misses: number;
}

const entries = new Map<string, KeyEntry>();
const hasOwn = Object.prototype.hasOwnProperty;

/** Whether Object.prototype has an enumerable property (it never should); until checked, taken to. */
let objectPrototypeEnumerable = true;

/** Checks Object.prototype for enumerable properties again: once per request encoded. */
export function checkObjectPrototype(): void {
  objectPrototypeEnumerable = false;
  for (const _key in Object.prototype) objectPrototypeEnumerable = true;
}

/** Each own enumerable attribute as a KeyValue under `tag`, in the object's key order. */
export function writeAttributes(writer: ProtobufWriter, attributes: Attributes, tag: number): void {
  // A plain object (the SDK's attributes, the request's) inherits no enumerable key unless
  // Object.prototype was given one: then no key needs a hasOwnProperty call (about 125 instructions each).
  const mayInherit = Object.getPrototypeOf(attributes) !== Object.prototype || objectPrototypeEnumerable;
  for (const key in attributes) {
    if (mayInherit && !hasOwn.call(attributes, key)) continue;
    writer.byte(tag);
    writeKeyValue(writer, key, attributes[key]);
  }
}

/** A value whose KeyValue may be kept: NaN is left out, as its bits may vary. */
function cacheable(value: unknown): value is Scalar {
  switch (typeof value) {
    case 'string':
      return value.length <= MAX_CACHED_STRING;
    case 'number':
      return value === value;
    case 'boolean':
      return true;
    default:
      return false;
  }
}

function writeKeyValue(writer: ProtobufWriter, key: string, value: unknown): void {
  let entry = entries.get(key);
  const pairs = entry?.pairs;
  const keep = pairs !== undefined && cacheable(value);
  if (keep) {
    const pair = pairs.get(value);
    if (pair !== undefined) {
      entry!.hits++;
      writer.bytes(pair);
      return;
    }
  }
  const bodyStart = writeKeyValueBody(writer, key, value, entry?.keyField);
  if (entry === undefined) {
    if (entries.size >= MAX_CACHED_KEYS) return;
    // The key field is the body's first bytes: tag, length, UTF-8 (a new key: rare enough to measure again).
    const keyBytes = Buffer.byteLength(key, 'utf8');
    const keyField = writer.copy(bodyStart, bodyStart + 1 + varintSize(keyBytes) + keyBytes);
    entry = { keyField, pairs: new Map(), hits: 0, misses: 0 };
    entries.set(key, entry);
    if (cacheable(value)) entry.pairs!.set(value, writer.copy(bodyStart, writer.pos));
    return;
  }
  if (!keep) return;
  if (pairs.size < MAX_VALUES_PER_KEY) {
    pairs.set(value, writer.copy(bodyStart, writer.pos));
  } else if (++entry.misses >= MISSES_JUDGED) {
    if (entry.misses > entry.hits) entry.pairs = undefined;
    entry.hits = entry.misses = 0;
  }
}

/** A KeyValue, length first; returns where its body (after the length) starts. */
function writeKeyValueBody(writer: ProtobufWriter, key: string, value: unknown, keyField: Uint8Array | undefined): number {
  // Exact for cached keys and ASCII strings, the usual attribute; any other guess is fixed up by end().
  const keyLength = keyField === undefined ? 1 + varintSize(key.length) + key.length : keyField.length;
  const valueLength = typeof value === 'string' ? 1 + varintSize(value.length) + value.length : 1;
  const valueReserved = varintSize(valueLength);
  const reserved = varintSize(keyLength + 1 + valueReserved + valueLength);
  const start = writer.begin(reserved);
  if (keyField !== undefined) {
    writer.raw(keyField);
  } else {
    writer.byte(KEY_VALUE_KEY);
    writer.string(key);
  }
  writer.byte(KEY_VALUE_VALUE);
  const valueStart = writer.begin(valueReserved);
  writeAnyValue(writer, value);
  writer.end(valueStart, valueReserved);
  return writer.end(start, reserved);
}

/** An AnyValue's one field; a value of no attribute type (undefined, a function) writes nothing, as in the SDK. */
function writeAnyValue(writer: ProtobufWriter, value: unknown): void {
  switch (typeof value) {
    case 'string':
      writer.byte(ANY_STRING);
      writer.string(value);
      return;
    case 'boolean':
      writer.byte(ANY_BOOL);
      writer.byte(value ? 1 : 0);
      return;
    case 'number':
      if (Number.isInteger(value) && value >= MIN_INT64 && value < MAX_INT64) {
        writer.byte(ANY_INT);
        writer.varint(value);
      } else {
        writer.byte(ANY_DOUBLE);
        writer.double(value);
      }
      return;
    case 'object':
      if (value === null) return;
      if (value instanceof Uint8Array) {
        writer.byte(ANY_BYTES);
        writer.bytes(value);
      } else if (Array.isArray(value)) {
        writeArrayValue(writer, value);
      } else {
        writeKeyValueList(writer, value as Record<string, unknown>);
      }
      return;
  }
}

function writeArrayValue(writer: ProtobufWriter, values: readonly unknown[]): void {
  writer.byte(ANY_ARRAY);
  const start = writer.begin(1);
  for (let i = 0; i < values.length; i++) {
    writer.byte(ARRAY_VALUES);
    const itemStart = writer.begin(1);
    writeAnyValue(writer, values[i]);
    writer.end(itemStart, 1);
  }
  writer.end(start, 1);
}

// Key-value lists are written in full each time: their keys are data, not code.
function writeKeyValueList(writer: ProtobufWriter, object: Record<string, unknown>): void {
  writer.byte(ANY_KVLIST);
  const start = writer.begin(1);
  for (const key in object) {
    if (!hasOwn.call(object, key)) continue;
    writer.byte(KVLIST_VALUES);
    writeKeyValueBody(writer, key, object[key], undefined);
  }
  writer.end(start, 1);
}
