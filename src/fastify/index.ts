/**
 * @module otel-xray/fastify
 * X-Ray tracing plugin for fastify 5.
 */
import { xrayTracing } from './plugin.js';

export { xrayTracing };
export default xrayTracing;
export type { MiddlewareOptions as XRayTracingOptions } from '../core/index.js';
