/**
 * @module otel-xray/koa
 * X-Ray tracing middleware for koa 2 and 3.
 */
export { xrayTracing } from './middleware.js';
export type { MiddlewareOptions as XRayTracingOptions } from '../core/index.js';
