/**
 * @module otel-xray/aws-sdk
 * X-Ray tracing for AWS SDK v3 clients.
 */
export function traceAwsClient<T>(client: T): T {
  return client;
}
