import { createContextKey } from '@opentelemetry/api';

/*
 * What the X-Ray propagator learns from an incoming header beyond a span context.
 * createContextKey uses Symbol.for, so the ESM and CJS builds of this package share the keys.
 */

/** Set to the remote parent's span id when the caller deferred sampling (`Sampled=?` or none). */
export const DEFERRED_PARENT_KEY = createContextKey('otel-xray deferred parent');
/** Set to the parsed header (an `XRayHeader` without `parentId`) when it named a Root but no Parent (ALB, API Gateway). */
export const ROOT_ONLY_KEY = createContextKey('otel-xray root-only trace');
/** The caller's `Lineage` value, carried on to outbound calls. */
export const LINEAGE_KEY = createContextKey('otel-xray lineage');
/**
 * Set by the Lambda wrapper to the invocation's own trace context (from `_X_AMZN_TRACE_ID`): the
 * server span takes its parent from there rather than from the request headers.
 */
export const INVOCATION_PARENT_KEY = createContextKey('otel-xray lambda invocation parent');
