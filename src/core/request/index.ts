/** The request lifecycle: one server span per incoming request, from the framework-neutral Node req/res. */
export { normalizeMethod, pathOf, requestAttributes, spanNameOf, splitHost, targetOf } from './http-attributes.js';
export { type MiddlewareSettings, compileMiddlewareOptions } from './middleware-options.js';
export {
  type RequestTrace,
  type RouteReader,
  endRequestTrace,
  getRequestTrace,
  recordRequestError,
  reportStartFailure,
  runInRequestContext,
  startRequestTrace,
} from './request-trace.js';
