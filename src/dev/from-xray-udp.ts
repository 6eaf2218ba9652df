import type { SegmentDocument } from '../core/exporters/segment/index.js';
import { BadPayload } from './otlp-record.js';
import type { ViewerSpan } from './types.js';
import { documentWarnings } from './warnings.js';

/**
 * X-Ray daemon datagrams → spans. A datagram is a header line (`{"format":"json","version":1}`)
 * and one segment document; a segment may carry its subsegments inline (`subsegments`),
 * which become spans of their own, as in the X-Ray console.
 */

type RawDocument = SegmentDocument & { in_progress?: boolean; subsegments?: unknown };

const TRACE_ID = /^1-([0-9a-f]{8})-([0-9a-f]{24})$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
/** Inline subsegments nest; a real SDK stays far below this. */
const MAX_DEPTH = 32;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadPayload(`${what} is not JSON`);
  }
}

function statusOf(document: RawDocument): ViewerSpan['status'] {
  return document.fault === true || document.error === true ? 'ERROR' : 'UNSET';
}

/** The display attributes of a document: its HTTP and AWS facts and annotations, flattened. */
function attributesOf(document: RawDocument): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  const request = document.http?.request;
  if (request?.method !== undefined) attributes['http.request.method'] = request.method;
  if (request?.url !== undefined) attributes['url.full'] = request.url;
  if (document.http?.response?.status !== undefined) attributes['http.response.status_code'] = document.http.response.status;
  if (document.aws?.operation !== undefined) attributes['aws.operation'] = document.aws.operation;
  for (const [key, value] of Object.entries(document.annotations ?? {})) attributes[`annotation.${key}`] = value;
  return attributes;
}

function toSpan(document: RawDocument, traceId: string, parentId: string | undefined, isSegment: boolean, service: string | undefined, inline: boolean): ViewerSpan {
  const { subsegments: _inline, ...fields } = document;
  // An inline subsegment is shown (and checked) as the independent subsegment it stands for.
  const own: SegmentDocument = inline ? { ...fields, trace_id: `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`, parent_id: parentId, type: 'subsegment' } : fields;
  const startMs = document.start_time * 1000;
  const endMs = typeof document.end_time === 'number' ? document.end_time * 1000 : startMs;
  const span: ViewerSpan = {
    traceId,
    spanId: document.id,
    name: document.name,
    kind: isSegment ? 'SERVER' : document.namespace === 'aws' || document.namespace === 'remote' ? 'CLIENT' : 'INTERNAL',
    startMs,
    endMs: Math.max(endMs, startMs),
    status: statusOf(document),
    attributes: attributesOf(document),
    events: [],
    source: 'xray-udp',
    document: own,
    warnings: documentWarnings(own),
  };
  if (parentId !== undefined) span.parentSpanId = parentId;
  const owner = isSegment ? document.name : service;
  if (owner !== undefined) span.service = owner;
  return span;
}

function collect(value: unknown, traceId: string | undefined, parentId: string | undefined, service: string | undefined, depth: number, out: ViewerSpan[]): void {
  if (depth > MAX_DEPTH) throw new BadPayload('subsegments nested too deeply');
  if (!isObject(value)) throw new BadPayload('a segment document is not an object');
  const document = value as unknown as RawDocument;
  if (typeof document.name !== 'string' || document.name === '') throw new BadPayload('a segment document has no name');
  if (typeof document.id !== 'string' || !SPAN_ID.test(document.id)) throw new BadPayload(`bad segment id ${JSON.stringify(document.id)}`);
  if (typeof document.start_time !== 'number' || !Number.isFinite(document.start_time)) throw new BadPayload('a segment document has no start_time');
  const ownTrace = typeof document.trace_id === 'string' ? TRACE_ID.exec(document.trace_id) : null;
  const trace = ownTrace !== null ? ownTrace[1] + ownTrace[2] : traceId;
  if (trace === undefined) throw new BadPayload(`bad trace_id ${JSON.stringify(document.trace_id)}`);
  const parent = typeof document.parent_id === 'string' ? document.parent_id : parentId;
  if (parent !== undefined && !SPAN_ID.test(parent)) throw new BadPayload(`bad parent_id ${JSON.stringify(parent)}`);
  // An independent subsegment learns its service from its segment once the trace holds both.
  const span = toSpan(document, trace, parent, depth === 0 && document.type !== 'subsegment', service, depth > 0);
  out.push(span);
  const inline = document.subsegments;
  if (inline === undefined) return;
  if (!Array.isArray(inline)) throw new BadPayload('subsegments is not an array');
  for (const child of inline) collect(child, trace, span.spanId, span.service, depth + 1, out);
}

/** Decodes one daemon datagram; throws `BadPayload` for anything else. */
export function decodeDaemonDatagram(datagram: Buffer): ViewerSpan[] {
  const text = datagram.toString('utf8');
  const newline = text.indexOf('\n');
  if (newline < 0) throw new BadPayload('no header line');
  const header = parseJson(text.slice(0, newline), 'the header line');
  if (!isObject(header) || header.format !== 'json' || header.version !== 1) throw new BadPayload('the header line is not {"format":"json","version":1}');
  const spans: ViewerSpan[] = [];
  collect(parseJson(text.slice(newline + 1), 'the segment document'), undefined, undefined, undefined, 0, spans);
  return spans;
}
