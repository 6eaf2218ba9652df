import { type HrTime, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AWS_ATTRIBUTES, makeAws, originOf, serviceOf } from './aws.js';
import { makeXRayAttributes } from './attributes.js';
import { makeCause } from './cause.js';
import { HTTP_ATTRIBUTES, makeHttp } from './http.js';
import type { Attributes, SegmentDocument } from './types.js';
import { formatRoot } from '../../xray/header.js';
import { nonEmptyString } from '../../common/index.js';

/**
 * OpenTelemetry span → X-Ray segment document, following the translation of the OpenTelemetry
 * Collector's awsxray exporter, so that traces look the same whether they travel through a
 * collector or straight to the X-Ray daemon.
 */

// X-Ray segment names: Unicode letters and digits, whitespace and _ . : / % & # = + \ - @
const INVALID_NAME_CHARS = /[^\s\p{L}\p{N}_.:/%&#=+\\\-@]/gu;
const MAX_NAME_LENGTH = 200;
const DEFAULT_NAME = 'span';

/** A segment name as X-Ray accepts it: invalid characters removed, at most 200 characters. */
export function fixSegmentName(name: string): string {
  const fixed = Array.from(name.replace(INVALID_NAME_CHARS, '')).slice(0, MAX_NAME_LENGTH).join('');
  return fixed === '' ? DEFAULT_NAME : fixed;
}

/** Epoch seconds with microsecond precision. */
export function toEpochSeconds([seconds, nanos]: HrTime): number {
  return seconds + Math.floor(nanos / 1000) / 1e6;
}

const isAwsSdkSpan = (attributes: Attributes): boolean => attributes['rpc.system'] === 'aws-api';

function hostOf(connectionString: string): string | undefined {
  try {
    return new URL(connectionString.replace(/^jdbc:/, '')).hostname || undefined;
  } catch {
    return undefined;
  }
}

/**
 * X-Ray names (sub)segments after services, not operations: `peer.service`, the AWS service,
 * `db.name@host`, the service itself for a server span, `rpc.service`, the peer host, and
 * only then the span name.
 */
function nameOf(span: ReadableSpan, attributes: Attributes, resource: Attributes): string {
  const peerService = nonEmptyString(attributes['peer.service']);
  if (peerService !== undefined) return peerService;
  const awsService = nonEmptyString(attributes['aws.service']);
  if (awsService !== undefined) return awsService;
  const dbName = nonEmptyString(attributes['db.name']);
  if (dbName !== undefined) {
    const connection = nonEmptyString(attributes['db.connection_string']);
    const host = connection === undefined ? undefined : hostOf(connection);
    return host === undefined ? dbName : `${dbName}@${host}`;
  }
  if (span.kind === SpanKind.SERVER) {
    const service = nonEmptyString(resource['service.name']);
    if (service !== undefined) return service;
  }
  const named = nonEmptyString(attributes['rpc.service']) ?? nonEmptyString(attributes['http.host']) ?? nonEmptyString(attributes['net.peer.name']);
  if (named !== undefined) return named;
  // The stable-convention counterpart of net.peer.name, so outbound calls name the host they reach.
  if (span.kind === SpanKind.CLIENT) {
    const host = nonEmptyString(attributes['server.address']);
    if (host !== undefined) return host;
  }
  return fixSegmentName(span.name);
}

function isTaken(key: string): boolean {
  return HTTP_ATTRIBUTES.has(key) || AWS_ATTRIBUTES.has(key);
}

/**
 * The X-Ray document for one span. SERVER spans, and spans without a parent, are segments;
 * every other span is an independent subsegment (`type: "subsegment"`, with `trace_id` and
 * `parent_id`), in namespace `aws` for AWS SDK calls and `remote` for other outbound calls.
 */
export function spanToSegment(span: ReadableSpan): SegmentDocument {
  const context = span.spanContext();
  const attributes = span.attributes as Attributes;
  const resource = span.resource.attributes as Attributes;
  const parentId = span.parentSpanContext?.spanId;
  const isSubsegment = span.kind !== SpanKind.SERVER && parentId !== undefined;

  const document: SegmentDocument = {
    name: fixSegmentName(nameOf(span, attributes, resource)),
    id: context.spanId,
    trace_id: formatRoot(context.traceId),
    start_time: toEpochSeconds(span.startTime),
    end_time: toEpochSeconds(span.endTime),
    ...makeCause(span),
  };
  if (parentId !== undefined) document.parent_id = parentId;
  if (isSubsegment) document.type = 'subsegment';
  if (isAwsSdkSpan(attributes) || nonEmptyString(attributes['aws.service']) !== undefined) document.namespace = 'aws';
  else if (span.kind === SpanKind.CLIENT) document.namespace = 'remote';

  const origin = originOf(resource);
  if (origin !== undefined) document.origin = origin;
  const http = makeHttp(attributes, span.kind === SpanKind.SERVER);
  if (http !== undefined) document.http = http;
  const aws = makeAws(attributes, resource);
  if (aws !== undefined) document.aws = aws;
  const service = serviceOf(resource);
  if (service !== undefined) document.service = service;
  Object.assign(document, makeXRayAttributes(attributes, isTaken, isSubsegment ? undefined : resource));
  if (span.links.length > 0) {
    document.links = span.links.map((link) => {
      const entry: NonNullable<SegmentDocument['links']>[number] = { trace_id: formatRoot(link.context.traceId), id: link.context.spanId };
      if (link.attributes !== undefined && Object.keys(link.attributes).length > 0) entry.attributes = { ...link.attributes };
      return entry;
    });
  }
  return document;
}
