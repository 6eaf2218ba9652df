import { type PlacedSpan, type TraceSummary, placeSpans, summarize } from './trace-view.js';
import type { ViewerSpan } from './types.js';

/** How much the store keeps; beyond it the oldest traces go first. */
export interface StoreLimits {
  /** Traces held (default 200). */
  maxTraces: number;
  /** Spans held in one trace; later ones are counted and dropped (default 1,000). */
  maxSpansPerTrace: number;
  /** Spans held in all (default 20,000): a few huge traces cannot outgrow the trace bound. */
  maxSpans: number;
  /** A trace counts as finished once no span has arrived for this long (default 1,500 ms). */
  settleMs: number;
}

export const DEFAULT_LIMITS: StoreLimits = { maxTraces: 200, maxSpansPerTrace: 1000, maxSpans: 20_000, settleMs: 1500 };

interface HeldTrace {
  spans: Map<string, ViewerSpan>;
  updatedAt: number;
  /** Spans held when the trace was last reported finished. */
  reported: number;
}

/** Counters the page and the tests read. */
export interface StoreStats {
  traces: number;
  spans: number;
  evictedTraces: number;
  droppedSpans: number;
}

/**
 * The last N traces, newest last. A trace that stops growing for `settleMs` is reported
 * finished (once, and again if more spans arrive later); `version` changes with every change,
 * so the page knows when to fetch again.
 */
export class TraceStore {
  readonly limits: StoreLimits;
  version = 0;
  private readonly traces = new Map<string, HeldTrace>();
  private spanCount = 0;
  private evictedTraces = 0;
  private droppedSpans = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(limits: Partial<StoreLimits>, private readonly onFinished: (traceId: string, spans: PlacedSpan[], update: boolean) => void) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.sweeper = setInterval(() => this.finishQuiet(Date.now() - this.limits.settleMs), Math.max(50, this.limits.settleMs / 3));
    this.sweeper.unref();
  }

  add(spans: ViewerSpan[]): void {
    if (spans.length === 0) return;
    const now = Date.now();
    for (const span of spans) {
      let trace = this.traces.get(span.traceId);
      if (trace === undefined) {
        trace = { spans: new Map(), updatedAt: now, reported: 0 };
      } else {
        // Re-inserting keeps the map in order of last update, so eviction takes the stalest trace.
        this.traces.delete(span.traceId);
      }
      this.traces.set(span.traceId, trace);
      trace.updatedAt = now;
      if (trace.spans.has(span.spanId)) {
        trace.spans.set(span.spanId, span);
      } else if (trace.spans.size >= this.limits.maxSpansPerTrace) {
        this.droppedSpans++;
      } else {
        trace.spans.set(span.spanId, span);
        this.spanCount++;
      }
    }
    this.evict();
    this.version++;
  }

  private evict(): void {
    for (const [traceId, trace] of this.traces) {
      if (this.traces.size <= this.limits.maxTraces && this.spanCount <= this.limits.maxSpans) break;
      this.traces.delete(traceId);
      this.spanCount -= trace.spans.size;
      this.evictedTraces++;
    }
  }

  private finishQuiet(before: number): void {
    for (const [traceId, trace] of this.traces) {
      if (trace.updatedAt > before || trace.reported === trace.spans.size) continue;
      const update = trace.reported > 0;
      trace.reported = trace.spans.size;
      try {
        this.onFinished(traceId, placeSpans(trace.spans.values()), update);
      } catch {
        // Reporting (printing) must never stop the receivers.
      }
    }
  }

  /** Reports every trace not yet reported as finished, now (the demo's end, tests). */
  settle(): void {
    this.finishQuiet(Infinity);
  }

  stats(): StoreStats {
    return { traces: this.traces.size, spans: this.spanCount, evictedTraces: this.evictedTraces, droppedSpans: this.droppedSpans };
  }

  /** Traces newest first (by their start). */
  summaries(): TraceSummary[] {
    return [...this.traces].map(([traceId, trace]) => summarize(traceId, placeSpans(trace.spans.values()))).sort((a, b) => b.startMs - a.startMs);
  }

  trace(traceId: string): PlacedSpan[] | undefined {
    const trace = this.traces.get(traceId);
    return trace === undefined ? undefined : placeSpans(trace.spans.values());
  }

  *placedTraces(): Iterable<PlacedSpan[]> {
    for (const trace of this.traces.values()) yield placeSpans(trace.spans.values());
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
