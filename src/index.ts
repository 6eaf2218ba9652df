/**
 * @module otel-xray
 * AWS X-Ray tracing on OpenTelemetry: `startTracing` (or `xrayNodeSdkConfig` for an app's own
 * NodeSDK), plus `annotate` and `setMetadata` for X-Ray's own span data.
 */
export {
  startTracing,
  xrayNodeSdkConfig,
  type XRayNodeSdkConfig,
  type XRayOutboundInstrumentation,
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
