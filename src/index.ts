/**
 * @module otel-xray
 * AWS X-Ray tracing on OpenTelemetry: `startTracing`, plus `annotate` and `setMetadata` for X-Ray's own span data.
 */
export {
  startTracing,
  annotate,
  setMetadata,
  type AnnotationValue,
  XRayLocalRulesSampler,
  XRayRemoteSampler,
  type XRayRemoteSamplerOptions,
} from './core/index.js';
export type {
  ExporterName,
  IgnoreOption,
  MiddlewareOptions,
  PropagatorName,
  SamplerName,
  Tracing,
  TracingOptions,
  TracingStats,
  XRaySamplingRule,
  XRaySamplingRuleV1,
  XRaySamplingRules,
} from './core/index.js';
