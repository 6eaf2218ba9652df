import { type Span, diag, trace } from '@opentelemetry/api';
import { errorMessage } from '../common/index.js';

/**
 * X-Ray annotations and metadata, in the span attributes the collector's awsxray exporter
 * reads: `aws.xray.annotations` lists the attribute keys that become annotations, and
 * `aws.xray.metadata.<namespace>` holds a JSON object that becomes that metadata namespace.
 */
export const ANNOTATIONS_ATTRIBUTE = 'aws.xray.annotations';
export const METADATA_ATTRIBUTE_PREFIX = 'aws.xray.metadata.';
/** The metadata namespace `setMetadata` and unlisted span attributes go to. */
export const DEFAULT_NAMESPACE = 'default';
/** X-Ray keeps namespaces starting `AWS.` for its own data. */
const RESERVED_NAMESPACE_PREFIX = 'AWS.';
/** X-Ray annotation keys are letters, digits and `_`; other characters become `_`, as the collector does. */
const ANNOTATION_KEY_INVALID = /[^A-Za-z0-9_]/g;

const annotationKeys = new WeakMap<Span, string[]>();
const metadata = new WeakMap<Span, Map<string, Record<string, unknown>>>();

/** An X-Ray annotation value: indexed and searchable in the X-Ray console. */
export type AnnotationValue = string | number | boolean;

/** The active span, if it records; undefined otherwise. */
function recordingSpan(): Span | undefined {
  const span = trace.getActiveSpan();
  return span !== undefined && span.isRecording() ? span : undefined;
}

/**
 * Sets an X-Ray annotation on the active span. Key characters other than letters, digits and
 * `_` become `_` (so an annotation never overwrites an OTel attribute such as `http.route`).
 * A no-op outside a span or for a value that is not a string, finite number or boolean;
 * never throws.
 *
 * @example
 * annotate('customer_tier', 'gold');
 */
export function annotate(key: string, value: AnnotationValue): void {
  const span = recordingSpan();
  if (span !== undefined) annotateSpan(span, key, value);
}

/** {@link annotate} on a given span rather than the active one (a no-op when it does not record). */
export function annotateSpan(span: Span, key: string, value: AnnotationValue): void {
  if (typeof key !== 'string' || key === '' || !span.isRecording()) return;
  if (!(typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) return;
  const name = key.replace(ANNOTATION_KEY_INVALID, '_');
  span.setAttribute(name, value);
  const keys = annotationKeys.get(span) ?? [];
  if (!keys.includes(name)) keys.push(name);
  annotationKeys.set(span, keys);
  span.setAttribute(ANNOTATIONS_ATTRIBUTE, keys);
}

/**
 * Sets X-Ray metadata (any JSON value, not indexed) on the active span, in `namespace`
 * (default `default`; names starting `AWS.` are X-Ray's own and ignored). A no-op outside a
 * span or for a value JSON cannot hold (a cycle, a BigInt, a throwing `toJSON`); never throws.
 *
 * @example
 * setMetadata('order', { id: 42, items: 3 });
 */
export function setMetadata(key: string, value: unknown, namespace: string = DEFAULT_NAMESPACE): void {
  const span = recordingSpan();
  if (span !== undefined) setSpanMetadata(span, key, value, namespace);
}

/** {@link setMetadata} on a given span rather than the active one (a no-op when it does not record). */
export function setSpanMetadata(span: Span, key: string, value: unknown, namespace: string = DEFAULT_NAMESPACE): void {
  if (typeof key !== 'string' || key === '' || typeof namespace !== 'string' || namespace === '') return;
  if (namespace.startsWith(RESERVED_NAMESPACE_PREFIX) || !span.isRecording()) return;
  const namespaces = metadata.get(span) ?? new Map<string, Record<string, unknown>>();
  // A prototype-less object: a key such as `__proto__` is kept as data.
  const entries: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, namespaces.get(namespace));
  entries[key] = value;
  let json: string | undefined;
  try {
    json = JSON.stringify(entries);
  } catch (error) {
    diag.warn(`otel-xray: setMetadata(${JSON.stringify(key)}) skipped, the value is not JSON: ${errorMessage(error)}`);
    return;
  }
  namespaces.set(namespace, entries);
  metadata.set(span, namespaces);
  span.setAttribute(METADATA_ATTRIBUTE_PREFIX + namespace, json);
}
