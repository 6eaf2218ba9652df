import { type Span, SpanStatusCode } from '@opentelemetry/api';
import { errorMessage } from '../common/index.js';

/*
 * X-Ray's `error`, `fault` and `throttle` flags, for code that sets them directly (as
 * aws-xray-sdk's addErrorFlag/addFaultFlag/addThrottleFlag do) rather than through an HTTP
 * status code. OTel has no such flags, so they travel as boolean span attributes that the
 * segment translation ORs into the flags it derives from the status code.
 */
export const XRAY_FLAG_ATTRIBUTES = {
  error: 'aws.xray.error',
  fault: 'aws.xray.fault',
  throttle: 'aws.xray.throttle',
} as const;
export type XRayFlag = keyof typeof XRAY_FLAG_ATTRIBUTES;
const FLAG_ATTRIBUTE_NAMES: ReadonlySet<string> = new Set(Object.values(XRAY_FLAG_ATTRIBUTES));
export const isXRayFlagAttribute = (key: string): boolean => FLAG_ATTRIBUTE_NAMES.has(key);

/** On an `exception` event: whether the exception came from a downstream call (X-Ray's `cause.exceptions[].remote`). */
export const EXCEPTION_REMOTE_ATTRIBUTE = 'aws.xray.exception.remote';

/** Sets an X-Ray flag on `span`. A fault also marks the span's status ERROR, its OTel meaning. */
export function flagSpan(span: Span, flag: XRayFlag): void {
  span.setAttribute(XRAY_FLAG_ATTRIBUTES[flag], true);
  if (flag === 'fault') span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Records `error` (an Error or a message) as an `exception` event on `span`, marked remote
 * or not for X-Ray's `cause`. Never throws, whatever the error's getters do.
 */
export function recordXRayException(span: Span, error: unknown, remote: boolean): void {
  const attributes: Record<string, string | boolean> = { [EXCEPTION_REMOTE_ATTRIBUTE]: remote };
  try {
    if (error instanceof Error || (typeof error === 'object' && error !== null)) {
      const { name, message, stack } = error as { name?: unknown; message?: unknown; stack?: unknown };
      if (typeof name === 'string' && name !== '') attributes['exception.type'] = name;
      attributes['exception.message'] = typeof message === 'string' ? message : errorMessage(error);
      if (typeof stack === 'string') attributes['exception.stacktrace'] = stack;
    } else {
      attributes['exception.message'] = errorMessage(error);
    }
  } catch {
    attributes['exception.message'] = errorMessage(error);
  }
  span.addEvent('exception', attributes);
}
