import {
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  TraceFlags,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import { DEFERRED_PARENT_KEY, LINEAGE_KEY, ROOT_ONLY_KEY } from './context-keys.js';
import { XRAY_HEADER, XRAY_HEADER_KEY, type XRayHeader, formatXRayHeader, parseXRayHeader } from './header.js';

/**
 * The `X-Amzn-Trace-Id` propagator. Beyond what the stock one does, it continues Root-only
 * headers (ALB), marks deferred decisions (`Sampled=?`) for the sampler, and carries `Lineage` on.
 *
 * A Root-only header (`Root=…` with no `Parent`) goes into the context under ROOT_ONLY_KEY, for
 * `startSpanContinuingRoot` (id-generator.ts) and XRayParentBasedSampler.
 *
 * On inject only `Root`, `Parent`, `Sampled` and a valid `Lineage` are written: `Self` and other
 * fields name one hop, and the X-Ray SDKs do not forward them either.
 *
 * @example
 * propagation.setGlobalPropagator(new XRayPropagator());
 */
export class XRayPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
    const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    const lineage = context.getValue(LINEAGE_KEY) as string | undefined;
    setter.set(carrier, XRAY_HEADER, formatXRayHeader(spanContext.traceId, spanContext.spanId, sampled, lineage));
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, XRAY_HEADER_KEY);
    const header = parseXRayHeader(Array.isArray(raw) && raw.length === 1 ? raw[0] : raw);
    if (header === undefined) return context;
    let extracted = context;
    if (header.parentId === undefined) {
      // Root only: no parent to link to, but the next server span continues this trace id.
      extracted = trace.deleteSpan(extracted).setValue(ROOT_ONLY_KEY, header satisfies XRayHeader);
    } else {
      extracted = trace.setSpanContext(extracted, {
        traceId: header.traceId,
        spanId: header.parentId,
        traceFlags: header.sampled === true ? TraceFlags.SAMPLED : TraceFlags.NONE,
        isRemote: true,
      });
      if (header.sampled === undefined) extracted = extracted.setValue(DEFERRED_PARENT_KEY, header.parentId);
    }
    return header.lineage === undefined ? extracted : extracted.setValue(LINEAGE_KEY, header.lineage);
  }

  fields(): string[] {
    return [XRAY_HEADER_KEY];
  }
}
