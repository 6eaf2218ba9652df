/**
 * @module otel-xray
 * AWS X-Ray tracing on OpenTelemetry: `startTracing`, plus `annotate` and `setMetadata` for X-Ray's own span data.
 */
export { startTracing } from './core/setup/start-tracing.js';
export { annotate, setMetadata, type AnnotationValue } from './core/xray/annotations.js';
export { XRayLocalRulesSampler, XRayRemoteSampler, type XRayRemoteSamplerOptions } from './core/sampling/index.js';
export type {
  ExporterName,
  IgnoreOption,
  MiddlewareOptions,
  PropagatorName,
  SamplerName,
  Tracing,
  TracingOptions,
  XRaySamplingRule,
  XRaySamplingRules,
} from './core/types.js';
