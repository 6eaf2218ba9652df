import { diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/** Spans lost to export failures, since start-up. */
export interface FailureStats {
  /** Failure bursts: runs of failed exports between two successful ones. */
  bursts: number;
  lostSpans: number;
}

/**
 * The error of an export that sent some of its spans and lost the others (UDP sends that
 * failed or were refused): only `failedSpans` count as lost.
 */
export class PartialExportError extends Error {
  constructor(
    message: string,
    readonly failedSpans: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'PartialExportError';
  }
}

/**
 * Wraps an exporter so an outage costs one warning, not one per batch: the first failure of
 * a burst is logged with its cause, later ones are only counted, and the first success after
 * it logs how many spans were lost. Failures are reported to the batch processor as done,
 * so it does not log each of them again; the spans are gone either way. It also counts what
 * was exported and what was lost, for `tracing.stats()`. The wrapped exporter gets a copy of
 * each batch, and the array handed in is emptied (see `export`).
 *
 * @example
 * new FailureLoggingExporter(new OTLPTraceExporter(), 'OTLP collector at http://localhost:4318/v1/traces');
 */
export class FailureLoggingExporter implements SpanExporter {
  readonly stats: FailureStats = { bursts: 0, lostSpans: 0 };
  /** Spans the wrapped exporter accepted, since start-up. */
  exported = 0;
  /** True from a failed export until the next successful one. */
  failing = false;
  private lostInBurst = 0;
  /**
   * An export that has not finished within this many ms counts as failed. Kept below the
   * batch processor's own export timeout, so the processor never times out and logs a raw
   * error line per batch: a slow backend is one more failure of the outage.
   */
  timeoutMillis: number | undefined = undefined;
  /** Told how many spans each export takes, so the queue in front can count what it holds. */
  onTaken: ((count: number) => void) | undefined = undefined;
  /** Fails the exports still in flight, by `abandon()`. */
  private readonly inFlight = new Set<(error: Error) => void>();
  /** Resolved when no export is in flight any more (see forceFlush). */
  private idleWaiters: Array<() => void> = [];
  private abandoned = false;
  private onAbandon: (() => void) | undefined;
  private readonly abandonedSignal = new Promise<void>((resolve) => (this.onAbandon = resolve));

  constructor(
    readonly exporter: SpanExporter,
    private readonly target: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const count = spans.length;
    this.onTaken?.(count);
    let called = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onResult = (result: ExportResult): void => {
      if (called) return;
      called = true;
      clearTimeout(timer);
      this.inFlight.delete(giveUp);
      if (this.inFlight.size === 0) this.wakeIdleWaiters();
      if (result.code === ExportResultCode.SUCCESS) {
        this.exported += count;
        this.recovered();
      } else {
        const error = result.error;
        const lost = error instanceof PartialExportError ? Math.min(count, error.failedSpans) : count;
        this.exported += count - lost;
        this.failed(lost, error);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    const giveUp = (error: Error): void => onResult({ code: ExportResultCode.FAILED, error });
    if (this.abandoned) return giveUp(new Error('tracing has shut down'));
    this.inFlight.add(giveUp);
    const { timeoutMillis } = this;
    if (timeoutMillis !== undefined && timeoutMillis > 0) {
      timer = setTimeout(() => giveUp(new Error(`no answer within ${timeoutMillis} ms`)), timeoutMillis);
      timer.unref?.();
    }
    // The exporter gets its own copy of the batch and the caller's array is emptied: the SDK's
    // batch processor keeps its array until the export answers, which held every span of a batch
    // in flight long enough to reach V8's old generation (koa, 200k exported requests: 10 full
    // garbage collections; with the copy, 2). The processor reads only the array's length then,
    // for its span metrics, which otel-xray does not record.
    const batch = spans.slice();
    spans.length = 0;
    try {
      this.exporter.export(batch, onResult);
    } catch (error) {
      giveUp(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Counts the exports still in flight as failed and fails later ones at once: shutdown's
   * deadline has passed, and the backend will not get these spans in time.
   */
  abandon(): void {
    this.abandoned = true;
    for (const giveUp of [...this.inFlight]) giveUp(new Error('shutdown deadline passed'));
    this.onAbandon?.();
  }

  /** Spans lost since the last warning that gave a count: those of an outage still going on. */
  get unreportedLoss(): number {
    return this.lostInBurst;
  }

  private failed(count: number, error: Error | undefined): void {
    this.stats.lostSpans += count;
    this.lostInBurst += count;
    if (this.failing || count === 0) return;
    this.failing = true;
    this.stats.bursts++;
    diag.warn(`otel-xray: exporting spans to ${this.target} failed: ${describe(error)}. Spans are dropped until it recovers; further failures are not logged.`);
  }

  private recovered(): void {
    if (!this.failing) return;
    this.failing = false;
    diag.warn(`otel-xray: exporting spans to ${this.target} works again; ${this.lostInBurst} spans were lost meanwhile`);
    this.lostInBurst = 0;
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }

  /**
   * Waits for the exports in flight (each bounded by `timeoutMillis`), then flushes the wrapped
   * exporter. The batch processor's own flush only exports what is still queued: an export its
   * timer started a moment before would otherwise still be on its way when the flush resolves.
   */
  async forceFlush(): Promise<void> {
    if (this.inFlight.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await this.exporter.forceFlush?.();
  }

  /** Shuts the wrapped exporter down; stops waiting for it once exports are abandoned. */
  shutdown(): Promise<void> {
    const done = this.exporter.shutdown();
    if (!this.abandoned) return Promise.race([done, this.abandonedSignal]);
    done.catch(() => {});
    return Promise.resolve();
  }
}

function describe(error: Error | undefined): string {
  if (error === undefined) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  const message = error.message || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
