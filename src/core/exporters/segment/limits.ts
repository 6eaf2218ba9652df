import type { SegmentDocument } from './types.js';

/** The X-Ray segment schema's limits: X-Ray drops a document that breaks one, so values are cut to fit. */
const MAX_HTTP_FIELD = 250;
const MAX_USER = 250;
const MAX_ANNOTATION_KEY = 500;
const MAX_ANNOTATION_VALUE = 1000;
/** X-Ray allows 50 annotations per trace; one document is all the exporter sees, so it keeps 50 per document. */
const MAX_ANNOTATIONS = 50;

const HTTP_REQUEST_FIELDS = ['url', 'user_agent', 'method', 'client_ip'] as const;

/** What was cut to fit the schema since the process started. */
export interface SegmentLimitCounts {
  /** Strings cut to their field's length (http.request fields, user, annotation keys and values). */
  truncated: number;
  /** Annotations left out beyond the 50 a document may carry. */
  droppedAnnotations: number;
}

const counts: SegmentLimitCounts = { truncated: 0, droppedAnnotations: 0 };

/** How many values the translation has cut or dropped to fit X-Ray's schema (a copy; counts only grow). */
export function segmentLimitCounts(): SegmentLimitCounts {
  return { ...counts };
}

/** The first `max` characters (code points, so a surrogate pair is never split), counted when cut. */
function cut(value: string, max: number): string {
  if (value.length <= max) return value;
  const characters = Array.from(value);
  if (characters.length <= max) return value;
  counts.truncated++;
  return characters.slice(0, max).join('');
}

function limitAnnotations(annotations: NonNullable<SegmentDocument['annotations']>): SegmentDocument['annotations'] {
  const limited: NonNullable<SegmentDocument['annotations']> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(annotations)) {
    if (kept === MAX_ANNOTATIONS) {
      counts.droppedAnnotations++;
      continue;
    }
    const limitedKey = cut(key, MAX_ANNOTATION_KEY);
    if (Object.hasOwn(limited, limitedKey)) {
      // Two keys that only differed after character 500: the first one stays.
      counts.droppedAnnotations++;
      continue;
    }
    limited[limitedKey] = typeof value === 'string' ? cut(value, MAX_ANNOTATION_VALUE) : value;
    kept++;
  }
  return limited;
}

/**
 * Cuts a document's fields to the lengths the X-Ray schema allows, in place: http.request
 * url, user_agent, method and client_ip and `user` to 250 characters, annotation keys to
 * 500 and string values to 1,000, and keeps the first 50 annotations. Each cut is counted
 * (see `segmentLimitCounts`). Names are limited where they are made (`fixSegmentName`).
 */
export function applySchemaLimits(document: SegmentDocument): SegmentDocument {
  const request = document.http?.request;
  if (request !== undefined) {
    for (const field of HTTP_REQUEST_FIELDS) {
      const value = request[field];
      if (value !== undefined) request[field] = cut(value, MAX_HTTP_FIELD);
    }
  }
  if (document.user !== undefined) document.user = cut(document.user, MAX_USER);
  if (document.annotations !== undefined) document.annotations = limitAnnotations(document.annotations);
  return document;
}
