import { type SegmentDocument, type SegmentLimitCounts, fixAnnotationKey, serializeWithin } from '../core/exporters/segment/index.js';
import type { OtlpSpanRecord } from './otlp-record.js';

/**
 * Where X-Ray's segment schema or limits would reject or cut a document. The limits are those
 * of the X-Ray segment document schema; the size trim is the one the xray-daemon exporter applies.
 */

/** X-Ray's largest segment document. */
const MAX_DOCUMENT_BYTES = 64 * 1024;
/** What the xray-daemon exporter fits into one datagram (65,507 bytes less its header line). */
const MAX_DATAGRAM_DOCUMENT_BYTES = 65507 - '{"format": "json", "version": 1}\n'.length;
const MAX_NAME = 200;
const MAX_ANNOTATION_VALUE = 1000;
const MAX_ANNOTATION_KEY = 500;
const MAX_ANNOTATIONS = 50;
const MAX_HTTP_FIELD = 250;
const ANNOTATIONS_ATTRIBUTE = 'aws.xray.annotations';

const ANNOTATION_KEY = /^[A-Za-z0-9_]+$/;
const SEGMENT_NAME = /^[\p{L}\p{N}\p{Z}_.:/%&#=+\\\-@]*$/u;
const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

const quote = (value: string): string => JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}…` : value);
const characters = (value: string): number => Array.from(value).length;

function annotationWarnings(annotations: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  const entries = Object.entries(annotations);
  if (entries.length > MAX_ANNOTATIONS) warnings.push(`${entries.length} annotations: X-Ray keeps ${MAX_ANNOTATIONS} per trace`);
  for (const [key, value] of entries) {
    if (!ANNOTATION_KEY.test(key)) warnings.push(`annotation key ${quote(key)}: X-Ray allows only letters, digits and _ in annotation keys, so it rejects this annotation`);
    if (characters(key) > MAX_ANNOTATION_KEY) warnings.push(`annotation key ${quote(key)} is over ${MAX_ANNOTATION_KEY} characters: X-Ray rejects it`);
    if (typeof value === 'string' && characters(value) > MAX_ANNOTATION_VALUE) {
      warnings.push(`annotation ${quote(key)} is ${characters(value)} characters: X-Ray keeps ${MAX_ANNOTATION_VALUE.toLocaleString('en-US')}`);
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) warnings.push(`annotation ${quote(key)} is not a string, number or boolean: X-Ray rejects it`);
  }
  return warnings;
}

function shapeWarnings(document: SegmentDocument & { in_progress?: boolean }): string[] {
  const warnings: string[] = [];
  if (typeof document.name !== 'string' || document.name === '') warnings.push('no name: X-Ray rejects the document');
  else if (characters(document.name) > MAX_NAME) warnings.push(`name is over ${MAX_NAME} characters: X-Ray rejects the document`);
  else if (!SEGMENT_NAME.test(document.name)) warnings.push(`name ${quote(document.name)} has characters X-Ray does not allow in a segment name`);
  if (!SPAN_ID.test(String(document.id))) warnings.push(`id ${quote(String(document.id))} is not 16 hexadecimal digits: X-Ray rejects the document`);
  if (!TRACE_ID.test(String(document.trace_id))) warnings.push(`trace_id ${quote(String(document.trace_id))} is not an X-Ray trace id: X-Ray rejects the document`);
  if (typeof document.start_time !== 'number') warnings.push('no start_time: X-Ray rejects the document');
  if (typeof document.end_time !== 'number' && document.in_progress !== true) warnings.push('neither end_time nor in_progress: X-Ray rejects the document');
  if (document.type === 'subsegment' && document.parent_id === undefined) warnings.push('a subsegment sent on its own needs parent_id: X-Ray rejects it');
  for (const field of ['url', 'user_agent', 'method', 'client_ip'] as const) {
    const value = document.http?.request?.[field];
    if (typeof value === 'string' && characters(value) > MAX_HTTP_FIELD) warnings.push(`http.request.${field} is over ${MAX_HTTP_FIELD} characters: X-Ray cuts it`);
  }
  if (typeof document.user === 'string' && characters(document.user) > MAX_HTTP_FIELD) warnings.push(`user is over ${MAX_HTTP_FIELD} characters: X-Ray cuts it`);
  return warnings;
}

function sizeWarnings(document: SegmentDocument): string[] {
  const bytes = Buffer.byteLength(JSON.stringify(document));
  if (bytes <= MAX_DATAGRAM_DOCUMENT_BYTES) return [];
  const { trimmed } = serializeWithin(structuredClone(document), MAX_DATAGRAM_DOCUMENT_BYTES);
  const limit = bytes > MAX_DOCUMENT_BYTES ? `over X-Ray's 64 KB limit` : 'over one datagram';
  return [`document is ${bytes.toLocaleString('en-US')} bytes, ${limit}: the xray-daemon exporter trims it (${trimmed.join(', ')})`];
}

/** Everything in a document that X-Ray would reject or cut. */
export function documentWarnings(document: SegmentDocument): string[] {
  return [...shapeWarnings(document), ...annotationWarnings(document.annotations ?? {}), ...sizeWarnings(document)];
}

/**
 * What the translation itself had to change to fit X-Ray, seen from the span it started from:
 * annotation keys rewritten, values cut (the counts before and after translating tell how many).
 */
export function translationWarnings(span: OtlpSpanRecord, before: SegmentLimitCounts, after: SegmentLimitCounts): string[] {
  const warnings: string[] = [];
  const listed = span.attributes[ANNOTATIONS_ATTRIBUTE];
  const indexed = Array.isArray(listed) ? listed.filter((key): key is string => typeof key === 'string' && key in span.attributes) : [];
  let explained = 0;
  for (const key of indexed) {
    const fixed = fixAnnotationKey(key);
    if (fixed !== key) warnings.push(`annotation key ${quote(key)} was rewritten to ${quote(fixed)} by the translation`);
    const value = span.attributes[key];
    if (typeof value === 'string' && characters(value) > MAX_ANNOTATION_VALUE) {
      warnings.push(`annotation ${quote(key)} was ${characters(value).toLocaleString('en-US')} characters: the translation cut it to X-Ray's ${MAX_ANNOTATION_VALUE.toLocaleString('en-US')}`);
      explained++;
    }
  }
  const dropped = after.droppedAnnotations - before.droppedAnnotations;
  if (dropped > 0) warnings.push(`${dropped} annotation(s) left out: X-Ray keeps ${MAX_ANNOTATIONS} per document`);
  const otherCuts = after.truncated - before.truncated - explained;
  if (otherCuts > 0) warnings.push(`${otherCuts} value(s) cut by the translation to X-Ray's field limits (http.request fields and user: ${MAX_HTTP_FIELD} characters)`);
  return warnings;
}
