/** Everything X-Ray-specific about a trace: the header, its propagator and context keys, ids, annotations, origins. */
export { ANNOTATIONS_ATTRIBUTE, type AnnotationValue, DEFAULT_NAMESPACE, METADATA_ATTRIBUTE_PREFIX, annotate, annotateSpan, setMetadata, setSpanMetadata } from './annotations.js';
export { EXCEPTION_REMOTE_ATTRIBUTE, XRAY_FLAG_ATTRIBUTES, type XRayFlag, flagSpan, isXRayFlagAttribute, recordXRayException } from './flags.js';
export { XRAY_HEADER, XRAY_HEADER_KEY, type XRayHeader, formatResponseHeader, formatRoot, headerText, parseRoot, parseXRayHeader, withLineage } from './header.js';
export { XRayIdGenerator } from './id-generator.js';
export { invocationContext, withInvocationParent } from './invocation-context.js';
export { xrayOrigin } from './origins.js';
export { XRayPropagator } from './propagator.js';
