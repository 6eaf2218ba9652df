import {
  type Context,
  type SpanContext,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
  TraceFlags,
  defaultTextMapGetter,
  isSpanContextValid,
  trace,
} from '@opentelemetry/api';
import { AWSXRayPropagator } from '@opentelemetry/propagator-aws-xray';
import { DEFERRED_PARENT_KEY, LINEAGE_KEY, ROOT_ONLY_KEY } from './context-keys.js';
import { XRAY_HEADER, XRAY_HEADER_KEY, type XRayHeader, headerText, parseXRayHeader, withLineage } from './header.js';

/**
 * The getter for Node's `req.headers`, whose names Node has lower-cased: a header missing under
 * its lower-case name is missing, with no search of every key (most requests have no X-Ray header).
 */
export const incomingHeadersGetter: TextMapGetter = { get: defaultTextMapGetter.get, keys: defaultTextMapGetter.keys };

/** Cheap test before parsing a header a second time for its `Lineage`. */
const MENTIONS_LINEAGE = /lineage/i;
const UPPER_CASE_HEX = /[A-F]/;

/**
 * The header's value, whatever the case of its key. Node's `req.headers` holds it lower case,
 * so that is tried first; a carrier built by hand, API Gateway event headers or queue message
 * attributes may spell it `X-Amzn-Trace-Id`, which the default getter reads only as written.
 */
function readHeader(carrier: unknown, getter: TextMapGetter): unknown {
  const value = getter.get(carrier, XRAY_HEADER_KEY);
  if (value !== undefined || getter === incomingHeadersGetter) return value;
  const key = getter.keys(carrier).find((candidate) => candidate.length === XRAY_HEADER_KEY.length && candidate.toLowerCase() === XRAY_HEADER_KEY);
  return key === undefined ? undefined : getter.get(carrier, key);
}

function hasValidSpan(context: Context): boolean {
  const spanContext = trace.getSpanContext(context);
  return spanContext !== undefined && isSpanContextValid(spanContext);
}

/** The stock propagator keeps hex digits as sent; span ids elsewhere (exporters, headers we write) are lower case. */
function lowerCaseIds(base: Context, extracted: Context): Context {
  const spanContext = trace.getSpanContext(extracted) as SpanContext;
  if (!UPPER_CASE_HEX.test(spanContext.traceId) && !UPPER_CASE_HEX.test(spanContext.spanId)) return extracted;
  return trace.setSpanContext(base, { ...spanContext, traceId: spanContext.traceId.toLowerCase(), spanId: spanContext.spanId.toLowerCase() });
}

/** What the stock propagator cannot read: Root-only, deferred (`Sampled=?` or none), lower-case keys, spaces. */
function extractOtherForms(context: Context, text: string): Context {
  const header = parseXRayHeader(text);
  if (header === undefined) return context;
  let extracted: Context;
  if (header.parentId === undefined) {
    // A full parent that another format brought (a W3C caller behind an ALB, which adds a
    // Root-only header) wins: replacing it would split one trace in two.
    if (hasValidSpan(context)) return context;
    // Root only: no parent to link to, but the next server span continues this trace id.
    extracted = trace.deleteSpan(context).setValue(ROOT_ONLY_KEY, header satisfies XRayHeader);
  } else {
    extracted = trace.setSpanContext(context, {
      traceId: header.traceId,
      spanId: header.parentId,
      traceFlags: header.sampled === true ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });
    if (header.sampled === undefined) extracted = extracted.setValue(DEFERRED_PARENT_KEY, header.parentId);
  }
  return header.lineage === undefined ? extracted : extracted.setValue(LINEAGE_KEY, header.lineage);
}

/**
 * The `X-Amzn-Trace-Id` propagator: `@opentelemetry/propagator-aws-xray` for the tidy form
 * (`Root=…;Parent=…;Sampled=0|1`) both ways, plus what it lacks: it continues Root-only headers
 * (ALB, API Gateway), marks deferred decisions (`Sampled=?`) for the sampler, carries `Lineage`
 * on, finds the header whatever the case of its key, and ignores joined or oversized headers.
 *
 * A Root-only header (`Root=…` with no `Parent`) goes into the context under ROOT_ONLY_KEY, for
 * `startServerSpan` (request/server-span.ts) and XRayParentBasedSampler; it never replaces a
 * full parent already in the context.
 *
 * On inject only `Root`, `Parent`, `Sampled` and a valid `Lineage` are written: `Self` and other
 * fields name one hop, and the X-Ray SDKs do not forward them either.
 *
 * @example
 * propagation.setGlobalPropagator(new XRayPropagator());
 */
export class XRayPropagator implements TextMapPropagator {
  private readonly stock = new AWSXRayPropagator();

  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const lineage = context.getValue(LINEAGE_KEY) as string | undefined;
    // The stock propagator writes the key in lower case; the header keeps its usual spelling here.
    this.stock.inject(context, carrier, {
      set: (target, _key, value) => setter.set(target, XRAY_HEADER, withLineage(value, lineage)),
    });
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    const text = headerText(readHeader(carrier, getter));
    if (text === undefined) return context;
    const extracted = this.stock.extract(context, { [XRAY_HEADER_KEY]: text }, defaultTextMapGetter);
    if (extracted === context) return extractOtherForms(context, text);
    const standard = lowerCaseIds(context, extracted);
    const lineage = MENTIONS_LINEAGE.test(text) ? parseXRayHeader(text)?.lineage : undefined;
    return lineage === undefined ? standard : standard.setValue(LINEAGE_KEY, lineage);
  }

  fields(): string[] {
    return [XRAY_HEADER_KEY];
  }
}
