/**
 * OpenTelemetry span → X-Ray segment document, as the collector's awsxray exporter translates
 * it, and the size rules X-Ray's daemon puts on a document.
 */
export { fixSegmentName, spanToSegment, toEpochSeconds } from './span-to-segment.js';
export { fixAnnotationKey } from './attributes.js';
export { type SegmentLimitCounts, segmentLimitCounts } from './limits.js';
export { serializeWithin } from './size.js';
export type { SegmentDocument } from './types.js';
