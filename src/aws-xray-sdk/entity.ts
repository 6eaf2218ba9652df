import { type Span, SpanKind, context, trace } from '@opentelemetry/api';
import { annotateSpan, flagSpan, formatRoot, recordXRayException, setSpanMetadata } from '../core/index.js';
import { getLogger } from './logger.js';
import { tracer, tracingState } from './tracing.js';

/*
 * aws-xray-sdk's Segment and Subsegment objects, each backed by one span: what the app sets
 * on them goes onto the span, in the attributes otel-xray's segment translation reads, so
 * the exported X-Ray document carries it as aws-xray-sdk would have sent it.
 */

const kSpan = Symbol('span');
const kEnd = Symbol('end');
const kClosed = Symbol('closed');
// Kept on the span itself rather than in a WeakMap: a WeakMap whose values hold their keys is
// an ephemeron table, which the garbage collector rescans on every pass (measured: several
// times the cost of annotate() per request).
const kEntity = Symbol('otel-xray aws-xray-sdk entity');

type WithEntity = Span & { [kEntity]?: Entity };

/** The span behind a segment or subsegment. */
export function spanOf(entity: Entity): Span {
  return entity[kSpan];
}

/** The segment or subsegment made for `span`, if any. */
export function entityOfSpan(span: Span): Entity | undefined {
  return (span as WithEntity)[kEntity];
}

/** What segments and subsegments share (aws-xray-sdk gives both the same methods, bar setUser). */
export abstract class Entity {
  declare name: string;
  /** The span id: the (sub)segment id X-Ray shows. */
  declare id: string;
  /** `1-xxxxxxxx-yyyyyyyyyyyyyyyyyyyyyyyy`. */
  declare trace_id: string;
  declare [kSpan]: Span;
  /** How the (sub)segment ends, when not by ending its span (a request's segment ends with the response). */
  declare [kEnd]: (() => void) | undefined;
  declare [kClosed]: boolean;

  /** Makes `object` the (sub)segment of `span`; `end` ends it (the span's own end unless said otherwise). */
  static attach<T extends Entity>(object: T, span: Span, name: string, end?: () => void): T {
    const { traceId, spanId } = span.spanContext();
    object.name = name;
    object.id = spanId;
    object.trace_id = formatRoot(traceId);
    object[kSpan] = span;
    object[kEnd] = end;
    object[kClosed] = false;
    (span as WithEntity)[kEntity] = object;
    return object;
  }

  /** An indexed, searchable key-value pair; the value must be a string, number or boolean. */
  addAnnotation(key: string, value: string | number | boolean): void {
    if (typeof value !== 'boolean' && typeof value !== 'string' && !Number.isFinite(value)) {
      getLogger().error(`Failed to add annotation key: ${String(key)} value: ${String(value)} to subsegment ${this.name}. Value must be of type string, number or boolean.`);
      return;
    }
    if (typeof key !== 'string') {
      getLogger().error(`Failed to add annotation key: ${String(key)} value: ${String(value)} to subsegment ${this.name}. Key must be of type string.`);
      return;
    }
    annotateSpan(this[kSpan], key, value);
  }

  /** Metadata (any JSON value, not indexed) under `namespace`, `default` when none is given. */
  addMetadata(key: string, value: unknown, namespace?: string): void {
    if (typeof key !== 'string') {
      getLogger().error(`Failed to add metadata key: ${String(key)} to segment ${this.name}. Key must be of type string.`);
      return;
    }
    if (namespace && typeof namespace !== 'string') {
      getLogger().error(`Failed to add metadata key: ${key} to segment ${this.name}. Namespace must be of type string.`);
      return;
    }
    // aws-xray-sdk records a missing value as an empty string.
    setSpanMetadata(this[kSpan], key, value ?? '', namespace || 'default');
  }

  /** A new subsegment of this one, started now; close it when its work is done. */
  addNewSubsegment(name: string): Subsegment {
    return new Subsegment(name, this);
  }

  /** Subsegments are attached to their parent when they start; this only checks that `subsegment` is one. */
  addSubsegment(subsegment: Subsegment): void {
    if (!(subsegment instanceof Subsegment)) throw new Error(`Cannot add subsegment: ${String(subsegment)}. Not a subsegment.`);
  }

  /** Records `error` (an Error or a message) in the cause, remote or not, and sets the fault flag. */
  addError(error: Error | string, remote?: boolean): void {
    if (error == null || (typeof error !== 'object' && typeof error !== 'string')) {
      getLogger().error(`Failed to add error:${String(error)} to subsegment "${this.name}".  Not an object or string literal.`);
      return;
    }
    flagSpan(this[kSpan], 'fault');
    recordXRayException(this[kSpan], error, remote === true);
  }

  addFaultFlag(): void {
    flagSpan(this[kSpan], 'fault');
  }

  addErrorFlag(): void {
    flagSpan(this[kSpan], 'error');
  }

  addThrottleFlag(): void {
    flagSpan(this[kSpan], 'throttle');
  }

  isClosed(): boolean {
    return this[kClosed];
  }

  /** Ends the (sub)segment, recording `error` first when given. Later calls do nothing. */
  close(error?: Error | string | null, remote?: boolean): void {
    if (this[kClosed]) return;
    if (error !== undefined && error !== null) this.addError(error, remote);
    this[kClosed] = true;
    const end = this[kEnd];
    if (end === undefined) this[kSpan].end();
    else end();
  }

  /** Exports what has ended so far (aws-xray-sdk sends the segment to the daemon here). */
  flush(): void {
    void tracingState().handle.forceFlush();
  }

  /** Open-subsegment counting drives aws-xray-sdk's streaming; spans are exported one by one, so these do nothing. */
  incrementCounter(): void {}
  decrementCounter(): void {}

  toJSON(): { name: string; id: string; trace_id: string } {
    return { name: this.name, id: this.id, trace_id: this.trace_id };
  }
}

/** A unit of work inside a segment: an INTERNAL span, child of its parent's span. */
export class Subsegment extends Entity {
  /**
   * @param name - the subsegment name X-Ray shows
   * @param parent - its parent (sub)segment; by default the active one
   */
  constructor(name: string, parent?: Entity) {
    super();
    const parentContext = parent === undefined ? context.active() : trace.setSpan(context.active(), parent[kSpan]);
    Entity.attach(this, tracer().startSpan(String(name), { kind: SpanKind.INTERNAL }, parentContext), String(name));
  }
}
