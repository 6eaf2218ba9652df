import type { Attributes, Context, Span, SpanContext, SpanKind } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { InstrumentationScope } from '@opentelemetry/core';
import type { SpanLimits, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** What the SDK's span class (`SpanImpl`, not exported) is constructed with, as its tracer builds it. */
interface SdkSpanOptions {
  resource: Resource;
  scope: InstrumentationScope;
  context: Context;
  spanContext: SpanContext;
  name: string;
  kind: SpanKind;
  parentSpanContext: SpanContext | undefined;
  attributes: Attributes | undefined;
  spanProcessor: SpanProcessor;
  spanLimits: SpanLimits;
}

type SdkSpanClass = new (options: SdkSpanOptions) => Span;

/** The fields of an SDK span read here: its class and what its tracer gave it. */
interface SdkSpanFields {
  resource?: unknown;
  instrumentationScope?: unknown;
  _spanProcessor?: Partial<SpanProcessor>;
  _spanLimits?: unknown;
  attributes?: unknown;
  _attributesCount?: unknown;
}

/** What every span started here shares: the class and what the tracer gave its first span. */
interface LearntSpan {
  readonly spanClass: SdkSpanClass;
  readonly resource: Resource;
  readonly scope: InstrumentationScope;
  readonly spanProcessor: SpanProcessor;
  readonly spanLimits: SpanLimits;
  /**
   * The span keeps its attributes in `attributes` and counts them in `_attributesCount`, as SDK
   * 2.x does, and no value length limit applies: an attribute object can be handed over whole.
   */
  readonly takesAttributeObjects: boolean;
}

/** No value length limit: the SDK then stores every string as it is given. */
function unlimitedValues(limits: SpanLimits): boolean {
  const limit = limits.attributeValueLengthLimit;
  return limit === undefined || limit === Infinity;
}

/**
 * Starts a sampled server span as the SDK's tracer does once it has made the ids and the
 * decision: `new SpanImpl(…)` with the tracer's resource, scope, processors and limits, all
 * learnt from the first span the tracer started. The tracer's startSpan re-validates the
 * parent, copies and checks the attributes twice and makes its span metrics' records and
 * closure (no-ops without a meter provider, and otel-xray's provider has none): skipping it saves
 * about 6.6k instructions per sampled express request on Node 24. The class is the SDK's: same
 * limits, same processor calls, same ReadableSpan. If the first span does not look like one
 * (another SDK version), every span keeps going through the tracer.
 */
export class SdkSpanStarter {
  /** Undefined until the first span is learnt from; null when it did not look like an SDK span. */
  private learnt: LearntSpan | null | undefined = undefined;

  /** True once a span has been learnt from and spans start here. */
  get ready(): boolean {
    return this.learnt != null;
  }

  /** Takes the class and the tracer's settings from a span the tracer started (the first only). */
  learnFrom(span: Span): void {
    if (this.learnt !== undefined) return;
    const fields = span as Span & SdkSpanFields;
    const processor = fields._spanProcessor;
    const spanLimits = fields._spanLimits as SpanLimits;
    const looksLikeSdkSpan =
      typeof span.constructor === 'function' &&
      typeof fields.resource === 'object' &&
      typeof fields.instrumentationScope === 'object' &&
      typeof fields._spanLimits === 'object' &&
      typeof processor?.onStart === 'function' &&
      typeof processor.onEnd === 'function';
    this.learnt = looksLikeSdkSpan
      ? {
          spanClass: span.constructor as SdkSpanClass,
          resource: fields.resource as Resource,
          scope: fields.instrumentationScope as InstrumentationScope,
          spanProcessor: processor as SpanProcessor,
          spanLimits,
          takesAttributeObjects: typeof fields.attributes === 'object' && typeof fields._attributesCount === 'number' && unlimitedValues(spanLimits),
        }
      : null;
  }

  /**
   * A recording span, when `ready`; the caller has made the ids, the decision and the attributes.
   *
   * `requestAttributes`: the attributes are the request's own (http-attributes.ts: set keys,
   * string and number values, none undefined). The span then takes the object as it is, when
   * the limits would keep every value unchanged, instead of checking and copying them one by one
   * (4.6k instructions per express request on Node 24). It takes them right after its
   * constructor has called the processors' onStart: with otel-xray's own provider those are the
   * export pipeline's, and their onStart reads nothing.
   */
  start(
    name: string,
    kind: SpanKind,
    context: Context,
    spanContext: SpanContext,
    parentSpanContext: SpanContext | undefined,
    attributes: Attributes,
    requestAttributes: boolean,
  ): Span {
    const { spanClass, resource, scope, spanProcessor, spanLimits, takesAttributeObjects } = this.learnt!;
    const count = requestAttributes && takesAttributeObjects ? countOf(attributes) : undefined;
    const { attributeCountLimit } = spanLimits;
    if (count === undefined || (attributeCountLimit !== undefined && count > attributeCountLimit)) {
      return new spanClass({ resource, scope, context, spanContext, name, kind, parentSpanContext, attributes, spanProcessor, spanLimits });
    }
    const span = new spanClass({ resource, scope, context, spanContext, name, kind, parentSpanContext, attributes: undefined, spanProcessor, spanLimits });
    const fields = span as Span & SdkSpanFields;
    fields.attributes = attributes;
    fields._attributesCount = count;
    return span;
  }
}

/** How many keys an attribute object holds (`Object.keys` would make an array to count). */
function countOf(attributes: Attributes): number {
  let count = 0;
  for (const _key in attributes) count++;
  return count;
}
