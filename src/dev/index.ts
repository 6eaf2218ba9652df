/**
 * The local viewer behind `otel-xray dev`: OTLP/HTTP and X-Ray daemon receivers, a terminal
 * tree per finished trace, and a page showing what X-Ray will show for each span.
 */
export { type Viewer, type ViewerOptions, startViewer } from './viewer.js';
export { renderTree } from './tree.js';
export type { PlacedSpan, TraceSummary } from './trace-view.js';
export type { StoreLimits, StoreStats } from './trace-store.js';
export type { ReceiverCounters } from './counters.js';
export type { ViewerSpan } from './types.js';
