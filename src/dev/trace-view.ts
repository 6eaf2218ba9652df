import type { ViewerSpan } from './types.js';

/** A span placed in its trace: depth in the tree, and whether its parent is outside the trace. */
export interface PlacedSpan extends ViewerSpan {
  depth: number;
  /** The parent span id when that parent is not among the spans held (a caller's span). */
  callerSpanId?: string;
  service: string;
}

/** What the trace list shows for one trace. */
export interface TraceSummary {
  traceId: string;
  /** The id as X-Ray writes it: `1-<8 hex>-<24 hex>`. */
  xrayTraceId: string;
  name: string;
  service: string;
  services: string[];
  startMs: number;
  durationMs: number;
  spanCount: number;
  fault: boolean;
  error: boolean;
  throttle: boolean;
  annotations: Record<string, string | number | boolean>;
  warningCount: number;
}

export const xrayTraceId = (traceId: string): string => `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;

const byStart = (a: ViewerSpan, b: ViewerSpan): number => a.startMs - b.startMs || a.spanId.localeCompare(b.spanId);

/**
 * The spans of a trace in tree order (each parent before its children, siblings by start
 * time), with their depth, and each X-Ray subsegment given the service of its nearest
 * ancestor that has one.
 */
export function placeSpans(spans: Iterable<ViewerSpan>): PlacedSpan[] {
  const all = [...spans].sort(byStart);
  const ids = new Set(all.map((span) => span.spanId));
  const children = new Map<string, ViewerSpan[]>();
  const roots: ViewerSpan[] = [];
  for (const span of all) {
    if (span.parentSpanId === undefined || !ids.has(span.parentSpanId) || span.parentSpanId === span.spanId) roots.push(span);
    else children.set(span.parentSpanId, [...(children.get(span.parentSpanId) ?? []), span]);
  }
  const placed: PlacedSpan[] = [];
  const seen = new Set<string>();
  const walk = (span: ViewerSpan, depth: number, inherited: string): void => {
    if (seen.has(span.spanId)) return;
    seen.add(span.spanId);
    const service = span.service ?? inherited;
    const entry: PlacedSpan = { ...span, depth, service };
    if (depth === 0 && span.parentSpanId !== undefined) entry.callerSpanId = span.parentSpanId;
    placed.push(entry);
    // An explicit stack would be safer for very deep traces; a trace's span count is bounded.
    for (const child of children.get(span.spanId) ?? []) walk(child, depth + 1, service);
  };
  for (const root of roots) walk(root, 0, '?');
  // Spans in a parent cycle (a malformed trace) are never reached from a root: list them as roots.
  for (const span of all) walk(span, 0, '?');
  return placed;
}

/** The trace list's row for a trace. */
export function summarize(traceId: string, placed: PlacedSpan[]): TraceSummary {
  const root = placed.find((span) => span.depth === 0) ?? placed[0];
  const startMs = Math.min(...placed.map((span) => span.startMs));
  const endMs = Math.max(...placed.map((span) => span.endMs));
  const annotations: TraceSummary['annotations'] = {};
  for (const span of placed) Object.assign(annotations, span.document.annotations ?? {});
  return {
    traceId,
    xrayTraceId: xrayTraceId(traceId),
    name: root.name,
    service: root.service,
    services: [...new Set(placed.map((span) => span.service))],
    startMs,
    durationMs: endMs - startMs,
    spanCount: placed.length,
    fault: placed.some((span) => span.document.fault === true),
    error: placed.some((span) => span.document.error === true),
    throttle: placed.some((span) => span.document.throttle === true),
    annotations,
    warningCount: placed.reduce((count, span) => count + span.warnings.length, 0),
  };
}
