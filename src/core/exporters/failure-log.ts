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
 * Wraps an exporter so an outage costs one warning, not one per batch: the first failure of
 * a burst is logged with its cause, later ones are only counted, and the first success after
 * it logs how many spans were lost. Failures are reported to the batch processor as done,
 * so it does not log each of them again; the spans are gone either way.
 *
 * @example
 * new FailureLoggingExporter(new OTLPTraceExporter(), 'OTLP collector at http://localhost:4318/v1/traces');
 */
export class FailureLoggingExporter implements SpanExporter {
  readonly stats: FailureStats = { bursts: 0, lostSpans: 0 };
  /** True from a failed export until the next successful one. */
  failing = false;
  private lostInBurst = 0;
  /** Told how many spans each export takes, so the queue in front can count what it holds. */
  onTaken: ((count: number) => void) | undefined = undefined;

  constructor(
    readonly exporter: SpanExporter,
    private readonly target: string,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.onTaken?.(spans.length);
    let called = false;
    const onResult = (result: ExportResult): void => {
      if (called) return;
      called = true;
      if (result.code === ExportResultCode.SUCCESS) this.recovered();
      else this.failed(spans.length, result.error);
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    try {
      this.exporter.export(spans, onResult);
    } catch (error) {
      onResult({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  private failed(count: number, error: Error | undefined): void {
    this.stats.lostSpans += count;
    this.lostInBurst += count;
    if (this.failing) return;
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

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }
}

function describe(error: Error | undefined): string {
  if (error === undefined) return 'unknown error';
  const code = (error as { code?: unknown }).code;
  const message = error.message || error.name;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
