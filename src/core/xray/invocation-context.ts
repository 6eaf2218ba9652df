import { type Context, ROOT_CONTEXT, context, defaultTextMapGetter, trace } from '@opentelemetry/api';
import { DEFERRED_PARENT_KEY, INVOCATION_PARENT_KEY, LINEAGE_KEY, ROOT_ONLY_KEY } from './context-keys.js';
import { XRAY_HEADER_KEY } from './header.js';
import { XRayPropagator } from './propagator.js';

/** What the X-Ray propagator may put in a context besides the span. */
const XRAY_KEYS = [ROOT_ONLY_KEY, DEFERRED_PARENT_KEY, LINEAGE_KEY];
const propagator = new XRayPropagator();

/**
 * Set once an invocation context has been made: until then no context holds one, and a server
 * span's parent needs no lookup through the API (a server outside Lambda never looks: about 1.1k
 * instructions less per express request on Node 24). On globalThis, so the ESM and CJS builds,
 * if both load, see the same flag.
 */
const INVOCATIONS_SEEN = Symbol.for('otel-xray.invocation-contexts');
type FlagHolder = { [INVOCATIONS_SEEN]?: true };

/** `target` with the span and X-Ray values of `source` in place of its own. */
function takeTraceFrom(target: Context, source: Context): Context {
  let result = trace.deleteSpan(target);
  const span = trace.getSpan(source);
  if (span !== undefined) result = trace.setSpan(result, span);
  for (const key of XRAY_KEYS) {
    const value = source.getValue(key);
    result = value === undefined ? result.deleteValue(key) : result.setValue(key, value);
  }
  return result;
}

/**
 * The context an invocation's trace header (Lambda's `_X_AMZN_TRACE_ID`) describes, on top of
 * `base`, marked so that server spans started inside take it as their parent. `base` unchanged
 * when the header is missing or unusable.
 */
export function invocationContext(base: Context, header: string | undefined): Context {
  if (header === undefined || header === '') return base;
  const extracted = propagator.extract(ROOT_CONTEXT, { [XRAY_HEADER_KEY]: header }, defaultTextMapGetter);
  if (extracted === ROOT_CONTEXT) return base;
  (globalThis as FlagHolder)[INVOCATIONS_SEEN] = true;
  return takeTraceFrom(base, extracted).setValue(INVOCATION_PARENT_KEY, extracted);
}

/**
 * The parent for a server span: what the request headers say (`extracted`), unless the request
 * runs inside a Lambda invocation that `invocationContext` described. Then the invocation wins,
 * as in OTel's `xray-lambda` propagator: the Lambda function's segment is the parent, not the
 * API Gateway or ALB hop before it (the Root is the same). Baggage from the headers is kept.
 */
export function withInvocationParent(extracted: Context): Context {
  if ((globalThis as FlagHolder)[INVOCATIONS_SEEN] !== true) return extracted;
  const invocation = context.active().getValue(INVOCATION_PARENT_KEY) as Context | undefined;
  if (invocation === undefined) return extracted;
  return takeTraceFrom(extracted, invocation);
}
