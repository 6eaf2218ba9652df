import { type Context, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

type EncodeSpan = (span: ReadableSpan) => unknown;

/**
 * In front of the batch processor of an OTLP protobuf exporter: encodes each sampled span into
 * its request bytes as it ends, and hands the batch the bytes in its place (see `EncodedSpan`).
 * The batch holds its spans until 512 are in; a span it holds keeps its attributes, strings,
 * arrays and ids alive, so V8's scavenger copied them all and promoted some to the old
 * generation. The encoding costs what it cost at export time; it now runs as the span ends,
 * and what outlives the request is its bytes, outside V8's heap. The encoder loads when the
 * first sampled span ends, as the exporter does on its first export; until then spans pass as
 * they are (the encoder writes both alike).
 */
export class EncodingSpanProcessor implements SpanProcessor {
  private encode: EncodeSpan | undefined = undefined;
  private loading = false;

  constructor(private readonly batch: SpanProcessor) {}

  onStart(span: Span, parentContext: Context): void {
    this.batch.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // The batch processor drops unsampled spans; nothing to encode for them.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    const encode = this.encode;
    if (encode === undefined) {
      this.load();
      this.batch.onEnd(span);
      return;
    }
    let held = span;
    try {
      // The batch processor reads only the context and the resource of what it holds.
      held = encode(span) as ReadableSpan;
    } catch {
      // A span the encoder cannot write goes on as it is; its export fails and says why.
    }
    this.batch.onEnd(held);
  }

  forceFlush(): Promise<void> {
    return this.batch.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.batch.shutdown();
  }

  private load(): void {
    if (this.loading) return;
    this.loading = true;
    import('./otlp-span-encoder.js').then(
      (encoder) => {
        this.encode = encoder.encodeSpan;
      },
      () => {
        // Not loaded: spans go on as they are, and the exporter's own load reports the failure.
      },
    );
  }
}
