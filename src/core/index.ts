/**
 * The core that the entry points and framework adapters build on. Adapters import from here
 * only: they map their framework's request and response onto `startRequestTrace` and hook
 * their lifecycle; everything OpenTelemetry and X-Ray stays below this line.
 */
export { errorMessage, errorType, invalidOption } from './common/index.js';
export { AWS_SDK_CALL_KEY, SKIP, outboundMode } from './outbound/client-span.js';
export { pathOf, targetOf } from './request/http-attributes.js';
export { type MiddlewareSettings, compileMiddlewareOptions } from './request/middleware-options.js';
export {
  type RequestTrace,
  type RouteReader,
  endRequestTrace,
  getRequestTrace,
  recordRequestError,
  startRequestTrace,
} from './request/request-trace.js';
export { XRayLocalRulesSampler, XRayRemoteSampler, type XRayRemoteSamplerOptions } from './sampling/index.js';
export { ensureTracing, startTracing } from './setup/start-tracing.js';
export { TRACER_NAME, getState } from './setup/state.js';
export { type AnnotationValue, annotate, setMetadata } from './xray/annotations.js';
export { XRAY_HEADER_KEY } from './xray/header.js';
export { invocationContext } from './xray/invocation-context.js';
export type * from './types.js';
