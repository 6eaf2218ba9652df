/** Everything X-Ray-specific about a trace: the header, its propagator and context keys, ids, annotations, origins. */
export { ANNOTATIONS_ATTRIBUTE, type AnnotationValue, DEFAULT_NAMESPACE, METADATA_ATTRIBUTE_PREFIX, annotate, setMetadata } from './annotations.js';
export { XRAY_HEADER, XRAY_HEADER_KEY, type XRayHeader, formatResponseHeader, formatRoot, headerText, parseRoot, parseXRayHeader, withLineage } from './header.js';
export { XRayIdGenerator, startSpanContinuingRoot } from './id-generator.js';
export { invocationContext, withInvocationParent } from './invocation-context.js';
export { xrayOrigin } from './origins.js';
export { XRayPropagator } from './propagator.js';
