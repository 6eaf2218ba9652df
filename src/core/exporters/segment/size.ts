import type { SegmentDocument } from './types.js';

/** What was cut from a document to make it fit one datagram. */
type TrimStep = 'metadata' | 'stacks' | 'annotations' | 'long-values' | 'minimal';

const MAX_TEXT = 1024;

const cut = (value: string | undefined): string | undefined => (value !== undefined && value.length > MAX_TEXT ? value.slice(0, MAX_TEXT) : value);

/**
 * Each step drops the next-least important part of the document; ids, times, name, the
 * fault/error/throttle flags and the parent link always stay, so the trace stays whole.
 */
const STEPS: readonly [TrimStep, (document: SegmentDocument) => void][] = [
  ['metadata', (document) => void delete document.metadata],
  ['stacks', (document) => {
    for (const exception of document.cause?.exceptions ?? []) {
      if (exception.stack === undefined) continue;
      exception.truncated = exception.stack.length;
      delete exception.stack;
    }
  }],
  ['annotations', (document) => void delete document.annotations],
  ['long-values', (document) => {
    const request = document.http?.request;
    if (request !== undefined) {
      request.url = cut(request.url);
      request.user_agent = cut(request.user_agent);
    }
    if (document.cause !== undefined) {
      document.cause.exceptions = document.cause.exceptions.slice(0, 1);
      for (const exception of document.cause.exceptions) exception.message = cut(exception.message);
    }
    delete document.links;
    delete document.aws;
  }],
  ['minimal', (document) => {
    for (const key of Object.keys(document) as (keyof SegmentDocument)[]) {
      if (!KEPT.has(key)) delete document[key];
    }
  }],
];

const KEPT: ReadonlySet<keyof SegmentDocument> = new Set([
  'name', 'id', 'trace_id', 'parent_id', 'type', 'start_time', 'end_time', 'fault', 'error', 'throttle', 'namespace', 'origin',
]);

/**
 * Serialises a document to at most `maxBytes` bytes, trimming it step by step when it is
 * larger: a segment is never dropped for its size. Returns the JSON and the steps taken.
 */
export function serializeWithin(document: SegmentDocument, maxBytes: number): { json: string; trimmed: TrimStep[] } {
  let json = JSON.stringify(document);
  const trimmed: TrimStep[] = [];
  for (const [step, apply] of STEPS) {
    if (Buffer.byteLength(json) <= maxBytes) break;
    apply(document);
    trimmed.push(step);
    json = JSON.stringify(document);
  }
  return { json, trimmed };
}
