import type { IdGenerator } from '@opentelemetry/sdk-trace-base';

/**
 * Two hex digits for each byte value: ids are built without a Buffer round trip per id. Written
 * here rather than taken from `@opentelemetry/id-generator-aws-xray` (same format, same source of
 * randomness) because it is on every request's path: measured on Node 24 under callgrind, it
 * saves about 12k instructions per unsampled express request, a quarter of otel-xray's cost there.
 */
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));
const INVALID_SPAN_ID = '0000000000000000';
/** What `@opentelemetry/id-generator-aws-xray` answers in the 1-in-2^64 case of an all-zero span id. */
const FALLBACK_SPAN_ID = '0000000000000001';

/** 8 random hex digits (32 bits of Math.random, as the AWS X-Ray id generator draws them). */
function randomHex8(): string {
  const bits = (Math.random() * 2 ** 32) >>> 0;
  return HEX_BYTES[bits >>> 24]! + HEX_BYTES[(bits >>> 16) & 255]! + HEX_BYTES[(bits >>> 8) & 255]! + HEX_BYTES[bits & 255]!;
}

/**
 * X-Ray ids (epoch seconds in the first 8 hex digits), with one addition: the next ids can be
 * named in advance, so that the SDK's tracer starts a span with ids decided before it ran (a
 * Root-only header's trace id, or ids a sampling decision was already made for).
 */
export class XRayIdGenerator implements IdGenerator {
  private nextTraceId: string | undefined = undefined;
  private nextSpanId: string | undefined = undefined;
  /** The epoch second the cached hex prefix stands for: one toString(16) per second, not per trace. */
  private epochSecond = -1;
  private epochHex = '';

  /**
   * The next generateTraceId and generateSpanId answer these (undefined: a new random id). Set
   * right before a synchronous `tracer.startSpan` and cleared right after, so a span that asked
   * for fewer ids (one with a parent asks for no trace id) leaves nothing behind.
   */
  presetNext(traceId: string | undefined, spanId: string | undefined): void {
    this.nextTraceId = traceId;
    this.nextSpanId = spanId;
  }

  generateTraceId(): string {
    const traceId = this.nextTraceId;
    if (traceId === undefined) return this.epochPrefix() + randomHex8() + randomHex8() + randomHex8();
    this.nextTraceId = undefined;
    return traceId;
  }

  generateSpanId(): string {
    const preset = this.nextSpanId;
    if (preset !== undefined) {
      this.nextSpanId = undefined;
      return preset;
    }
    const spanId = randomHex8() + randomHex8();
    return spanId === INVALID_SPAN_ID ? FALLBACK_SPAN_ID : spanId;
  }

  /** The current epoch second in 8 hex digits (X-Ray's first trace id field). */
  private epochPrefix(): string {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.epochSecond) {
      this.epochSecond = second;
      this.epochHex = second.toString(16).padStart(8, '0');
    }
    return this.epochHex;
  }
}
