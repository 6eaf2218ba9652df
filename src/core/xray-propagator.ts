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
import { XRAY_HEADER, type XRayHeader, formatXRayHeader, parseXRayHeader } from './xray-header.js';

const OUTGOING_HEADER = 'X-Amzn-Trace-Id';

/**
 * The `X-Amzn-Trace-Id` propagator. Beyond what the stock one does, it continues Root-only
 * headers (ALB), marks deferred decisions (`Sampled=?`) for the sampler, and carries `Lineage` on.
 */
export class XRayPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext === undefined || !isSpanContextValid(spanContext)) return;
    const sampled = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
    const lineage = context.getValue(LINEAGE_KEY) as string | undefined;
    setter.set(carrier, OUTGOING_HEADER, formatXRayHeader(spanContext.traceId, spanContext.spanId, sampled, lineage));
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const raw = getter.get(carrier, XRAY_HEADER);
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
    return [XRAY_HEADER];
  }
}
