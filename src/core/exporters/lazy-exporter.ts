import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Stands in for an exporter whose code is loaded on its first export: the OTLP exporters,
 * their encoders (which pull in the SDK's metrics and logs packages) and the AWS credential
 * chain cost nothing at start-up, and the first export is off the request path (the batch
 * processor calls it from its timer). A load failure fails that export and every later one
 * with the same error; it is not retried, since a missing package does not appear by itself.
 * Flush and shutdown before the first export resolve without loading anything.
 *
 * @example
 * new LazyExporter(async () => (await import('./otlp-exporter.js')).createOtlpExporter(undefined));
 */
export class LazyExporter implements SpanExporter {
  private loading: Promise<SpanExporter> | undefined;
  private loaded: SpanExporter | undefined;
  private shutDown = false;

  constructor(private readonly load: () => Promise<SpanExporter>) {}

  private exporter(): Promise<SpanExporter> {
    this.loading ??= this.load().then((exporter) => (this.loaded = exporter));
    return this.loading;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.shutDown) return resultCallback({ code: ExportResultCode.FAILED, error: new Error('the exporter has been shut down') });
    const fail = (error: unknown): void => resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    // An exporter that throws (a span it cannot encode) fails this export; after the first load,
    // a throw would otherwise be an unhandled rejection and the export would never end.
    const send = (exporter: SpanExporter): void => {
      try {
        exporter.export(spans, resultCallback);
      } catch (error) {
        fail(error);
      }
    };
    if (this.loaded !== undefined) return send(this.loaded);
    this.exporter().then(send, fail);
  }

  async forceFlush(): Promise<void> {
    if (this.loading === undefined) return;
    const exporter = await this.loading.catch(() => undefined);
    await exporter?.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    this.shutDown = true;
    if (this.loading === undefined) return;
    const exporter = await this.loading.catch(() => undefined);
    await exporter?.shutdown();
  }
}
