import type { Attributes, HrTime, Link, SpanStatus } from '@opentelemetry/api';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { checkObjectPrototype, writeAttributes } from './otlp-attributes.js';
import { ProtobufWriter } from './protobuf-writer.js';

/**
 * ReadableSpan[] → an OTLP `ExportTraceServiceRequest` (opentelemetry-proto trace/v1), byte for
 * byte what the SDK's ProtobufTraceSerializer writes: spans grouped by resource, then by scope,
 * in order of first appearance; the same fields, defaults and attribute value rules. It writes
 * in one pass into a buffer kept between requests, where the SDK measures every string twice
 * and allocates each id.
 */

// Field tags (field number << 3 | wire type), named message.field.
const REQUEST_RESOURCE_SPANS = 0x0a;
const RESOURCE_SPANS_RESOURCE = 0x0a;
const RESOURCE_SPANS_SCOPE_SPANS = 0x12;
const RESOURCE_SPANS_SCHEMA_URL = 0x1a;
const RESOURCE_ATTRIBUTES = 0x0a;
const RESOURCE_DROPPED_ATTRIBUTES = 0x10;
const SCOPE_SPANS_SCOPE = 0x0a;
const SCOPE_SPANS_SPANS = 0x12;
const SCOPE_SPANS_SCHEMA_URL = 0x1a;
const SCOPE_NAME = 0x0a;
const SCOPE_VERSION = 0x12;
const SCOPE_ATTRIBUTES = 0x1a;
const SCOPE_DROPPED_ATTRIBUTES = 0x20;
const SPAN_TRACE_ID = 0x0a;
const SPAN_SPAN_ID = 0x12;
const SPAN_TRACE_STATE = 0x1a;
const SPAN_PARENT_SPAN_ID = 0x22;
const SPAN_NAME = 0x2a;
const SPAN_KIND = 0x30;
const SPAN_START_TIME = 0x39;
const SPAN_END_TIME = 0x41;
const SPAN_ATTRIBUTES = 0x4a;
const SPAN_DROPPED_ATTRIBUTES = 0x50;
const SPAN_EVENTS = 0x5a;
const SPAN_DROPPED_EVENTS = 0x60;
const SPAN_LINKS = 0x6a;
const SPAN_DROPPED_LINKS = 0x70;
const SPAN_STATUS = 0x7a;
const SPAN_FLAGS = [0x85, 0x01] as const; // field 16, fixed32: a two-byte tag
const EVENT_TIME = 0x09;
const EVENT_NAME = 0x12;
const EVENT_ATTRIBUTES = 0x1a;
const EVENT_DROPPED_ATTRIBUTES = 0x20;
const LINK_TRACE_ID = 0x0a;
const LINK_SPAN_ID = 0x12;
const LINK_TRACE_STATE = 0x1a;
const LINK_ATTRIBUTES = 0x22;
const LINK_DROPPED_ATTRIBUTES = 0x28;
const LINK_FLAGS = 0x35;
const STATUS_MESSAGE = 0x12;
const STATUS_CODE = 0x18;

// SpanFlags: the W3C trace flags, plus whether the parent was remote (and that this is known).
const FLAGS_HAS_IS_REMOTE = 0x100;
const FLAGS_IS_REMOTE = 0x200;

/** Guesses for the bytes of a nested message's length (see ProtobufWriter.end). */
const SPAN_LENGTH_BYTES = 2;
const GROUP_LENGTH_BYTES = 3;

/** Scopes may carry attributes (the SDK writes them when present). */
type Scope = InstrumentationScope & { attributes?: Attributes; droppedAttributesCount?: number };

const INITIAL_SIZE = 64 * 1024;
/** A buffer grown past this for one huge request is not kept for the next. */
const MAX_KEPT_SIZE = 4 * 1024 * 1024;
let shared: ProtobufWriter | undefined;

/** The request for `spans`; an empty array for no spans, as the SDK gives. */
export function encodeTraceRequest(spans: readonly ReadableSpan[]): Uint8Array {
  const writer = shared ?? new ProtobufWriter(INITIAL_SIZE);
  shared = undefined;
  writer.pos = 0;
  checkObjectPrototype();
  try {
    writeRequest(writer, spans);
    return writer.result();
  } finally {
    if (writer.buf.length <= MAX_KEPT_SIZE) shared = writer;
  }
}

function writeRequest(writer: ProtobufWriter, spans: readonly ReadableSpan[]): void {
  if (spans.length === 0) return;
  const { resource, instrumentationScope } = spans[0];
  let uniform = true;
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].resource !== resource || spans[i].instrumentationScope !== instrumentationScope) {
      uniform = false;
      break;
    }
  }
  // One resource and one scope, the usual batch: no grouping needed.
  if (uniform) {
    writeResourceSpans(writer, resource, [spans]);
    return;
  }
  const groups = new Map<Resource, Map<InstrumentationScope, ReadableSpan[]>>();
  for (const span of spans) {
    let scopes = groups.get(span.resource);
    if (scopes === undefined) groups.set(span.resource, (scopes = new Map()));
    let group = scopes.get(span.instrumentationScope);
    if (group === undefined) scopes.set(span.instrumentationScope, (group = []));
    group.push(span);
  }
  for (const [groupResource, scopes] of groups) writeResourceSpans(writer, groupResource, [...scopes.values()]);
}

function writeResourceSpans(writer: ProtobufWriter, resource: Resource, scopes: readonly (readonly ReadableSpan[])[]): void {
  writer.byte(REQUEST_RESOURCE_SPANS);
  const start = writer.begin(GROUP_LENGTH_BYTES);
  writer.byte(RESOURCE_SPANS_RESOURCE);
  const resourceStart = writer.begin(SPAN_LENGTH_BYTES);
  const attributes = resource.attributes;
  if (attributes) writeAttributes(writer, attributes, RESOURCE_ATTRIBUTES);
  writer.byte(RESOURCE_DROPPED_ATTRIBUTES);
  writer.byte(0);
  writer.end(resourceStart, SPAN_LENGTH_BYTES);
  for (const spans of scopes) writeScopeSpans(writer, spans);
  if (resource.schemaUrl) {
    writer.byte(RESOURCE_SPANS_SCHEMA_URL);
    writer.string(resource.schemaUrl);
  }
  writer.end(start, GROUP_LENGTH_BYTES);
}

function writeScopeSpans(writer: ProtobufWriter, spans: readonly ReadableSpan[]): void {
  const scope: Scope = spans[0].instrumentationScope;
  writer.byte(RESOURCE_SPANS_SCOPE_SPANS);
  const start = writer.begin(GROUP_LENGTH_BYTES);
  writer.byte(SCOPE_SPANS_SCOPE);
  const scopeStart = writer.begin(1);
  writer.byte(SCOPE_NAME);
  writer.string(scope.name);
  if (scope.version) {
    writer.byte(SCOPE_VERSION);
    writer.string(scope.version);
  }
  if (scope.attributes) writeAttributes(writer, scope.attributes, SCOPE_ATTRIBUTES);
  if (scope.droppedAttributesCount) {
    writer.byte(SCOPE_DROPPED_ATTRIBUTES);
    writer.varint(scope.droppedAttributesCount);
  }
  writer.end(scopeStart, 1);
  for (let i = 0; i < spans.length; i++) writeSpan(writer, spans[i]);
  if (scope.schemaUrl) {
    writer.byte(SCOPE_SPANS_SCHEMA_URL);
    writer.string(scope.schemaUrl);
  }
  writer.end(start, GROUP_LENGTH_BYTES);
}

function writeSpan(writer: ProtobufWriter, span: ReadableSpan): void {
  writer.byte(SCOPE_SPANS_SPANS);
  const start = writer.begin(SPAN_LENGTH_BYTES);
  const context = span.spanContext();
  writer.byte(SPAN_TRACE_ID);
  writer.hexBytes(context.traceId);
  writer.byte(SPAN_SPAN_ID);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.byte(SPAN_TRACE_STATE);
    writer.string(traceState);
  }
  const parent = span.parentSpanContext;
  if (parent?.spanId) {
    writer.byte(SPAN_PARENT_SPAN_ID);
    writer.hexBytes(parent.spanId);
  }
  writer.byte(SPAN_NAME);
  writer.string(span.name);
  // The API's kinds start at INTERNAL = 0; OTLP keeps 0 for unspecified.
  if (span.kind != null && span.kind + 1 !== 0) {
    writer.byte(SPAN_KIND);
    writer.varint(span.kind + 1);
  }
  writer.byte(SPAN_START_TIME);
  writer.hrTime(span.startTime);
  writer.byte(SPAN_END_TIME);
  writer.hrTime(span.endTime);
  if (span.attributes) writeAttributes(writer, span.attributes, SPAN_ATTRIBUTES);
  writer.byte(SPAN_DROPPED_ATTRIBUTES);
  writer.varint(span.droppedAttributesCount);
  const events = span.events;
  for (let i = 0; i < events.length; i++) writeEvent(writer, events[i]);
  writer.byte(SPAN_DROPPED_EVENTS);
  writer.varint(span.droppedEventsCount);
  const links = span.links;
  for (let i = 0; i < links.length; i++) writeLink(writer, links[i]);
  writer.byte(SPAN_DROPPED_LINKS);
  writer.varint(span.droppedLinksCount);
  writeStatus(writer, span.status);
  writer.byte(SPAN_FLAGS[0]);
  writer.byte(SPAN_FLAGS[1]);
  writer.fixed32(spanFlags(context.traceFlags, parent?.isRemote));
  writer.end(start, SPAN_LENGTH_BYTES);
}

function spanFlags(traceFlags: number, isRemote: boolean | undefined): number {
  return (traceFlags & 0xff) | FLAGS_HAS_IS_REMOTE | (isRemote ? FLAGS_IS_REMOTE : 0);
}

function writeStatus(writer: ProtobufWriter, status: SpanStatus): void {
  writer.byte(SPAN_STATUS);
  const start = writer.begin(1);
  if (status.message) {
    writer.byte(STATUS_MESSAGE);
    writer.string(status.message);
  }
  writer.byte(STATUS_CODE);
  writer.varint(status.code);
  writer.end(start, 1);
}

function writeEvent(writer: ProtobufWriter, event: TimedEvent): void {
  writer.byte(SPAN_EVENTS);
  const start = writer.begin(SPAN_LENGTH_BYTES);
  writer.byte(EVENT_TIME);
  writer.hrTime(event.time as HrTime);
  writer.byte(EVENT_NAME);
  writer.string(event.name);
  if (event.attributes) writeAttributes(writer, event.attributes, EVENT_ATTRIBUTES);
  writer.byte(EVENT_DROPPED_ATTRIBUTES);
  writer.varint(event.droppedAttributesCount || 0);
  writer.end(start, SPAN_LENGTH_BYTES);
}

function writeLink(writer: ProtobufWriter, link: Link): void {
  writer.byte(SPAN_LINKS);
  const start = writer.begin(SPAN_LENGTH_BYTES);
  const context = link.context;
  writer.byte(LINK_TRACE_ID);
  writer.hexBytes(context.traceId);
  writer.byte(LINK_SPAN_ID);
  writer.hexBytes(context.spanId);
  const traceState = context.traceState?.serialize();
  if (traceState) {
    writer.byte(LINK_TRACE_STATE);
    writer.string(traceState);
  }
  if (link.attributes) writeAttributes(writer, link.attributes, LINK_ATTRIBUTES);
  writer.byte(LINK_DROPPED_ATTRIBUTES);
  writer.varint(link.droppedAttributesCount || 0);
  writer.byte(LINK_FLAGS);
  writer.fixed32(spanFlags(context.traceFlags, context.isRemote));
  writer.end(start, SPAN_LENGTH_BYTES);
}
