/**
 * @module otel-xray/express
 * X-Ray tracing middleware for express 4 and 5.
 */
export { xrayTracing, xrayErrorHandler } from './middleware.js';
export type { MiddlewareOptions as XRayTracingOptions } from '../core/index.js';
