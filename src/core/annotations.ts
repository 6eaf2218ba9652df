import { type Span, diag, trace } from '@opentelemetry/api';

/**
 * X-Ray annotations and metadata, in the span attributes the collector's awsxray exporter
 * reads: `aws.xray.annotations` lists the attribute keys that become annotations, and
 * `aws.xray.metadata.<namespace>` holds a JSON object that becomes that metadata namespace.
 */
export const ANNOTATIONS_ATTRIBUTE = 'aws.xray.annotations';
export const METADATA_ATTRIBUTE_PREFIX = 'aws.xray.metadata.';
const DEFAULT_NAMESPACE = 'default';

const annotationKeys = new WeakMap<Span, string[]>();
const metadata = new WeakMap<Span, Record<string, Record<string, unknown>>>();

/** An X-Ray annotation value: indexed and searchable in the X-Ray console. */
export type AnnotationValue = string | number | boolean;

/**
 * Sets an X-Ray annotation on the active span. A no-op outside a span or for a value that is
 * not a string, finite number or boolean; never throws.
 *
 * @example
 * annotate('customer_tier', 'gold');
 */
export function annotate(key: string, value: AnnotationValue): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording() || typeof key !== 'string' || key === '') return;
  if (!(typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value)))) return;
  span.setAttribute(key, value);
  const keys = annotationKeys.get(span) ?? [];
  if (!keys.includes(key)) keys.push(key);
  annotationKeys.set(span, keys);
  span.setAttribute(ANNOTATIONS_ATTRIBUTE, keys);
}

/**
 * Sets X-Ray metadata (any JSON value, not indexed) on the active span, in `namespace`
 * (default `default`). A no-op outside a span or for a value JSON cannot hold; never throws.
 *
 * @example
 * setMetadata('order', { id: 42, items: 3 });
 */
export function setMetadata(key: string, value: unknown, namespace: string = DEFAULT_NAMESPACE): void {
  const span = trace.getActiveSpan();
  if (span === undefined || !span.isRecording() || typeof key !== 'string' || key === '' || typeof namespace !== 'string') return;
  const namespaces = metadata.get(span) ?? {};
  const entries = { ...namespaces[namespace], [key]: value };
  let json: string;
  try {
    json = JSON.stringify(entries);
  } catch (error) {
    diag.warn(`otel-xray: setMetadata(${JSON.stringify(key)}) skipped, the value is not JSON: ${String(error)}`);
    return;
  }
  namespaces[namespace] = entries;
  metadata.set(span, namespaces);
  span.setAttribute(METADATA_ATTRIBUTE_PREFIX + namespace, json);
}
