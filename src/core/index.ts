/**
 * The core that the entry points and framework adapters build on. Adapters import from here
 * only: they map their framework's request and response onto `startRequestTrace` and hook
 * their lifecycle; everything OpenTelemetry and X-Ray stays below this line.
 *
 * - common/     error messages and small value helpers
 * - setup/      startTracing and xrayNodeSdkConfig: options, provider, resource, propagators, state
 * - request/    the server span of each incoming request
 * - xray/       the X-Ray header, propagator, ids, annotations
 * - sampling/   parent-based X-Ray sampling, local and centralized rules
 * - outbound/   CLIENT spans and trace headers for fetch/undici and node:http(s)
 * - exporters/  transports (OTLP, X-Ray daemon, X-Ray OTLP with SigV4); segment/ is the span → segment translation
 * - net/        HTTP plumbing for exporters and the sampling client: guarded agents, a capped POST
 */
export { errorMessage, errorType, invalidOption } from './common/index.js';
export { AWS_SDK_CALL_KEY, SKIP, outboundMode } from './outbound/client-span.js';
export {
  type MiddlewareSettings,
  type RequestTrace,
  type RouteReader,
  compileMiddlewareOptions,
  endRequestTrace,
  getRequestTrace,
  pathOf,
  recordRequestError,
  reportStartFailure,
  runInRequestContext,
  startRequestTrace,
  targetOf,
} from './request/index.js';
export { XRayLocalRulesSampler, XRayRemoteSampler, type XRayRemoteSamplerOptions, type WildcardMatcher, compileWildcard } from './sampling/index.js';
export {
  TRACER_NAME,
  TRACER_VERSION,
  type TracingState,
  type XRayNodeSdkConfig,
  type XRayOutboundInstrumentation,
  ensureTracing,
  getState,
  startTracing,
  xrayNodeSdkConfig,
} from './setup/index.js';
export {
  type AnnotationValue,
  XRAY_HEADER_KEY,
  type XRayFlag,
  annotate,
  annotateSpan,
  flagSpan,
  formatRoot,
  invocationContext,
  parseRoot,
  recordXRayException,
  setMetadata,
  setSpanMetadata,
} from './xray/index.js';
export type * from './types.js';
