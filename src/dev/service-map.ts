import type { PlacedSpan } from './trace-view.js';

/** A node of the service map: a service (segment name), or a remote or AWS node called by one. */
export interface MapNode {
  name: string;
  type: 'client' | 'service' | 'remote' | 'aws';
  /** Spans seen for this node: segments for a service, calls for a remote or AWS node. */
  count: number;
  /** How many of them were faults or errors. */
  failures: number;
}

export interface MapEdge {
  from: string;
  to: string;
  count: number;
  failures: number;
}

export const CLIENT_NODE = 'Client';

const failed = (span: PlacedSpan): boolean => span.document.fault === true || span.document.error === true;

/**
 * The service map of the traces held, built as X-Ray builds it from the documents: each
 * segment is a service node; a segment whose parent is in another service is an edge from
 * that service; an `aws` or `remote` subsegment that no segment answers is an edge to a node
 * of its own name; a root segment is called by the client.
 */
export function buildServiceMap(traces: Iterable<PlacedSpan[]>): { nodes: MapNode[]; edges: MapEdge[] } {
  const nodes = new Map<string, MapNode>();
  const edges = new Map<string, MapEdge>();
  const node = (name: string, type: MapNode['type']): MapNode => {
    let entry = nodes.get(name);
    if (entry === undefined) nodes.set(name, (entry = { name, type, count: 0, failures: 0 }));
    return entry;
  };
  const edge = (from: string, to: string, span: PlacedSpan): void => {
    const key = `${from}\u0000${to}`;
    const entry = edges.get(key) ?? { from, to, count: 0, failures: 0 };
    entry.count++;
    if (failed(span)) entry.failures++;
    edges.set(key, entry);
  };
  for (const spans of traces) {
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const answered = new Set<string>();
    for (const span of spans) {
      if (span.document.type === 'subsegment') continue;
      const service = node(span.document.name, 'service');
      service.count++;
      if (failed(span)) service.failures++;
      const parent = span.parentSpanId === undefined ? undefined : byId.get(span.parentSpanId);
      if (parent === undefined) {
        node(CLIENT_NODE, 'client').count++;
        edge(CLIENT_NODE, span.document.name, span);
      } else {
        answered.add(parent.spanId);
        if (parent.service !== span.document.name) edge(parent.service, span.document.name, span);
      }
    }
    for (const span of spans) {
      const namespace = span.document.namespace;
      if (span.document.type !== 'subsegment' || (namespace !== 'aws' && namespace !== 'remote') || answered.has(span.spanId)) continue;
      const target = node(span.document.name, namespace);
      target.count++;
      if (failed(span)) target.failures++;
      edge(span.service, span.document.name, span);
    }
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}
