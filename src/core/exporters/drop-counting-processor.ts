import { type Context, TraceFlags, diag } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Default of OTEL_BSP_MAX_QUEUE_SIZE. */
export const DEFAULT_MAX_QUEUE_SIZE = 2048;

/**
 * Counts the spans waiting in a batch processor's queue (handed over on end, taken away when
 * the exporter receives them) and drops new ones itself once the queue is full. The SDK's
 * batch processor would drop them too, but it logs a line each time room frees up, which
 * under a lasting outage is a line every batch; here a drop burst logs once when it starts
 * and once, with the count, when the queue has drained to half while the exporter works
 * (an export outage is one burst however often the queue fills and drains).
 */
export class DropCountingProcessor implements SpanProcessor {
  /** Spans dropped because the queue was full, since start-up. */
  dropped = 0;
  private waiting = 0;
  private droppedInBurst = 0;

  constructor(
    private readonly processor: SpanProcessor,
    private readonly maxQueueSize: number,
    /** True while the exporter is failing. */
    private readonly inOutage: () => boolean = () => false,
    /** Flushes the exporter behind the batch processor, whose own flush does not wait for it. */
    private readonly flushExporter: () => Promise<void> = async () => {},
  ) {}

  /** Spans in the queue now: ended, not yet handed to the exporter. */
  get queued(): number {
    return this.waiting;
  }

  /** The exporter received `count` spans from the queue. */
  taken(count: number): void {
    this.waiting = Math.max(0, this.waiting - count);
    if (this.droppedInBurst > 0 && this.waiting <= this.maxQueueSize / 2 && !this.inOutage()) {
      diag.warn(`otel-xray: ${this.droppedInBurst} spans were dropped while the span queue was full`);
      this.droppedInBurst = 0;
    }
  }

  onStart(span: Span, parentContext: Context): void {
    this.processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // The batch processor ignores unsampled spans; so does the count.
    if ((span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0) return;
    if (this.waiting >= this.maxQueueSize) {
      this.dropped++;
      if (this.droppedInBurst++ === 0) {
        diag.warn(`otel-xray: the span queue is full (${this.maxQueueSize} spans, OTEL_BSP_MAX_QUEUE_SIZE); new spans are dropped and counted until it drains`);
      }
      return;
    }
    this.waiting++;
    this.processor.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await this.processor.forceFlush();
    await this.flushExporter();
  }

  shutdown(): Promise<void> {
    return this.processor.shutdown();
  }
}
