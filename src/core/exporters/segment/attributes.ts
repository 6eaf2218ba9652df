import { ANNOTATIONS_ATTRIBUTE, DEFAULT_NAMESPACE, METADATA_ATTRIBUTE_PREFIX } from '../../xray/annotations.js';
import { isXRayFlagAttribute } from '../../xray/flags.js';
import type { Attributes, SegmentDocument } from './types.js';

const RESOURCE_PREFIX = 'otel.resource.';
// X-Ray annotation keys: letters, digits and underscores (and dots, which the collector's
// awsxray exporter keeps by default); anything else becomes `_`.
const INVALID_ANNOTATION_KEY_CHARS = /[^A-Za-z0-9_.]/g;

type XRayAttributes = Pick<SegmentDocument, 'annotations' | 'metadata' | 'user'>;

/** An annotation key as X-Ray accepts it. */
export function fixAnnotationKey(key: string): string {
  return key.replace(INVALID_ANNOTATION_KEY_CHARS, '_');
}

function annotationValue(value: unknown): string | number | boolean | undefined {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function parseObject(json: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(json);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Annotations, metadata and `user`, the way the collector's awsxray exporter splits them:
 * attributes named in `aws.xray.annotations` become annotations (keys sanitised); each
 * `aws.xray.metadata.<namespace>` JSON object becomes that metadata namespace (the flag
 * attributes `aws.xray.error|fault|throttle` are read by makeCause); `enduser.id`
 * becomes `user`; every other attribute not already taken by another block goes to the
 * `default` metadata namespace, and for segments so do the resource attributes
 * (as `otel.resource.<key>`).
 */
export function makeXRayAttributes(attributes: Attributes, taken: (key: string) => boolean, resource: Attributes | undefined): XRayAttributes {
  const result: XRayAttributes = {};
  const annotations: NonNullable<SegmentDocument['annotations']> = {};
  const metadata: NonNullable<SegmentDocument['metadata']> = {};
  const defaults: Record<string, unknown> = {};
  const listed = attributes[ANNOTATIONS_ATTRIBUTE];
  const indexed = new Set(Array.isArray(listed) ? listed.filter((key): key is string => typeof key === 'string') : []);

  if (resource !== undefined) {
    for (const [key, value] of Object.entries(resource)) if (value !== undefined && value !== null) defaults[RESOURCE_PREFIX + key] = value;
  }
  for (const [key, value] of Object.entries(attributes)) {
    if (key === ANNOTATIONS_ATTRIBUTE || isXRayFlagAttribute(key) || value === undefined || value === null || taken(key)) continue;
    if (key === 'enduser.id' && typeof value === 'string') {
      result.user = value;
    } else if (indexed.has(key)) {
      const annotation = annotationValue(value);
      if (annotation !== undefined) annotations[fixAnnotationKey(key)] = annotation;
    } else if (key.startsWith(METADATA_ATTRIBUTE_PREFIX) && typeof value === 'string') {
      const namespace = key.slice(METADATA_ATTRIBUTE_PREFIX.length);
      const entries = parseObject(value);
      if (entries === undefined) defaults[key] = value;
      else if (namespace.toLowerCase() === DEFAULT_NAMESPACE) Object.assign(defaults, entries);
      else metadata[namespace] = entries;
    } else {
      defaults[key] = value;
    }
  }
  if (Object.keys(defaults).length > 0) metadata[DEFAULT_NAMESPACE] = defaults;
  if (Object.keys(annotations).length > 0) result.annotations = annotations;
  if (Object.keys(metadata).length > 0) result.metadata = metadata;
  return result;
}
