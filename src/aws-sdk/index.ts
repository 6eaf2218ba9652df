/**
 * @module otel-xray/aws-sdk
 * X-Ray tracing for AWS SDK v3 clients, through the SDK's own middleware stack.
 */
export { traceAwsClient } from './trace-client.js';
