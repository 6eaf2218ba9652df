import { diag } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { DropCountingProcessor } from './drop-counting-processor.js';
import type { FailureLoggingExporter } from './failure-log.js';
import type { TracingStats } from '../types.js';

/** How long `shutdown()` waits for the last export before it gives up on it. */
export const SHUTDOWN_TIMEOUT_MS = 3000;

const NO_STATS: TracingStats = { exported: 0, dropped: 0, failed: 0, queued: 0 };

/**
 * The span processors that feed the exporter, and what they count: the queue in front of the
 * exporter (queued, dropped) and the exporter itself (exported, failed).
 */
export class ExportPipeline {
  constructor(
    readonly processors: SpanProcessor[],
    private readonly queue?: DropCountingProcessor,
    private readonly exporter?: FailureLoggingExporter,
  ) {}

  stats(): TracingStats {
    if (this.queue === undefined || this.exporter === undefined) return { ...NO_STATS };
    return {
      exported: this.exporter.exported,
      dropped: this.queue.dropped,
      failed: this.exporter.stats.lostSpans,
      queued: this.queue.queued,
    };
  }

  /**
   * Waits for `shuttingDown` (the provider's shutdown, which flushes the queue) for at most
   * `timeoutMillis`. A backend that is down would otherwise hold it for the whole export
   * timeout and its retries. Past the deadline, exports still in flight count as failed. Then
   * logs how many spans were not exported, if any: those of an outage that never ended, the
   * abandoned ones, and those still queued.
   */
  async shutdown(shuttingDown: Promise<void>, timeoutMillis = SHUTDOWN_TIMEOUT_MS): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMillis)));
    let outcome: 'done' | 'late';
    try {
      outcome = await Promise.race([shuttingDown.then(() => 'done' as const), deadline]);
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'late') {
      shuttingDown.catch(() => {});
      this.exporter?.abandon();
    }
    const notExported = (this.exporter?.unreportedLoss ?? 0) + (this.queue?.queued ?? 0);
    if (notExported > 0) {
      const why = outcome === 'late' ? `the exporter did not finish within ${timeoutMillis} ms` : 'exports were failing';
      diag.warn(`otel-xray: shutdown: ${notExported} spans were not exported (${why})`);
    }
  }
}
