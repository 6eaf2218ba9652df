/**
 * @module otel-xray/lambda
 * AWS Lambda: `xrayLambda(handler)` links the server span to the invocation's X-Ray segment and
 * exports the spans before the handler returns.
 */
export { xrayLambda, type LambdaCallbackHandler, type LambdaContext, type LambdaHandler, type XRayLambdaOptions } from './handler.js';
