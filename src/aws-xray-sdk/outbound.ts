import { traceAwsClient } from '../aws-sdk/index.js';

/*
 * The capture calls for outbound requests. otel-xray already traces fetch/undici and
 * node:http(s) calls, so those return what they were given; AWS SDK v3 clients get
 * otel-xray's middleware.
 */

/** `captureAWSv3Client(client)`: the same client, its calls traced as `aws` subsegments (otel-xray/aws-sdk's traceAwsClient). */
export function captureAWSv3Client<T>(client: T): T {
  return traceAwsClient(client);
}

/** http/https are traced already: returns the module unchanged. */
export function captureHTTPsGlobal<T>(module: T, _downstreamXRayEnabled?: boolean): T {
  return module;
}

/** http/https are traced already: returns the module unchanged. */
export function captureHTTPs<T>(module: T, _downstreamXRayEnabled?: boolean): T {
  return module;
}

/** Context already follows promises (AsyncLocalStorage): nothing to patch. */
export function capturePromise(): void {}

/** aws-xray-sdk-fetch's `captureFetchGlobal`: fetch is traced already, so it returns the global fetch. */
export function captureFetchGlobal(_downstreamXRayEnabled?: boolean): typeof fetch {
  return globalThis.fetch;
}
