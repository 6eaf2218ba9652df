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
import { XRAY_HEADER, type XRayHeader, formatXRayHeader, parseXRayHeader } from './header.js';

const OUTGOING_HEADER = 'X-Amzn-Trace-Id';

/**
 * The `X-Amzn-Trace-Id` propagator. Beyond what the stock one does, it continues Root-only
 * headers (ALB), marks deferred decisions (`Sampled=?`) for the sampler, and carries `Lineage` on.
 *
 * Root-only (`Root=…` with no `Parent`, as an ALB or API Gateway without tracing sends it): OTel
 * has no way to say "this trace id, no parent", because a span context needs a span id. So the
 * header goes into the context under ROOT_ONLY_KEY instead; the server span code hands its trace
 * id to XRayIdGenerator.continueTrace right before startSpan, the SDK asks the generator for a
 * trace id (the span has no parent), and gets that one. XRayParentBasedSampler then takes a
 * `Sampled=1|0` that came with the Root, or makes the local decision.
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
