import { diag } from '@opentelemetry/api';

/** An inclusive range of seconds. */
export interface SecondsBounds {
  min: number;
  max: number;
}

/**
 * `seconds` kept within `bounds`. Every polling interval passes here, whether the user or the
 * sampling proxy chose it: Node's timers fire at once for a delay over 2^31-1 ms (24.8 days),
 * so an unbounded interval turns into a poll every millisecond. `what` names a user's value,
 * which gets a warning when it is changed; the proxy's are bounded quietly.
 */
export function boundedSeconds(seconds: number, bounds: SecondsBounds, what?: string): number {
  const bounded = Number.isNaN(seconds) ? bounds.min : Math.min(bounds.max, Math.max(bounds.min, seconds));
  if (what !== undefined && bounded !== seconds) {
    diag.warn(`otel-xray: ${what} ${String(seconds)} s is outside ${bounds.min}–${bounds.max} s; using ${bounded} s`);
  }
  return bounded;
}
