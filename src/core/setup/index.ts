/** Provider setup: startTracing, xrayNodeSdkConfig for an app's own NodeSDK, options and their environment variables, resource, propagators, and the shared tracing state. */
export { type ResolvedOptions, resolveOptions } from './options.js';
export { ensureTracing, startTracing } from './start-tracing.js';
export { TRACER_NAME, TRACER_VERSION, type TracingState, getState } from './state.js';
export { type XRayNodeSdkConfig, type XRayOutboundInstrumentation, xrayNodeSdkConfig } from './node-sdk-config.js';
