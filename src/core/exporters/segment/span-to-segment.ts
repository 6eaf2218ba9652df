import { type HrTime, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AWS_ATTRIBUTES, makeAws, originOf, serviceOf } from './aws.js';
import { makeXRayAttributes } from './attributes.js';
import { makeCause } from './cause.js';
import { HTTP_ATTRIBUTES, makeHttp } from './http.js';
import { applySchemaLimits } from './limits.js';
import { nameAndNamespace } from './names.js';
import { SQL_ATTRIBUTES, makeSql } from './sql.js';
import type { Attributes, SegmentDocument } from './types.js';
import { formatRoot } from '../../xray/header.js';

export { fixSegmentName } from './names.js';

/**
 * OpenTelemetry span → X-Ray segment document, following the translation of the OpenTelemetry
 * Collector's awsxray exporter, so that traces look the same whether they travel through a
 * collector or straight to the X-Ray daemon.
 */

/** Epoch seconds with microsecond precision. */
export function toEpochSeconds([seconds, nanos]: HrTime): number {
  return seconds + Math.floor(nanos / 1000) / 1e6;
}

const isHttpOrAws = (key: string): boolean => HTTP_ATTRIBUTES.has(key) || AWS_ATTRIBUTES.has(key);
const isHttpAwsOrSql = (key: string): boolean => isHttpOrAws(key) || SQL_ATTRIBUTES.has(key);

/**
 * The X-Ray document for one span. SERVER spans, and spans without a parent, are segments;
 * every other span is an independent subsegment (`type: "subsegment"`, with `trace_id` and
 * `parent_id`), in namespace `aws` for AWS SDK calls and `remote` for other outbound calls.
 * Database calls get an `sql` block; fields are cut to the schema's limits (`applySchemaLimits`).
 */
export function spanToSegment(span: ReadableSpan): SegmentDocument {
  const context = span.spanContext();
  const attributes = span.attributes as Attributes;
  const resource = span.resource.attributes as Attributes;
  const parentId = span.parentSpanContext?.spanId;
  const isSubsegment = span.kind !== SpanKind.SERVER && parentId !== undefined;
  const { name, namespace } = nameAndNamespace(span.name, span.kind, attributes, resource, isSubsegment);

  const document: SegmentDocument = {
    name,
    id: context.spanId,
    trace_id: formatRoot(context.traceId),
    start_time: toEpochSeconds(span.startTime),
    end_time: toEpochSeconds(span.endTime),
    ...makeCause(span),
  };
  if (parentId !== undefined) document.parent_id = parentId;
  if (isSubsegment) document.type = 'subsegment';
  if (namespace !== undefined) document.namespace = namespace;

  const origin = originOf(resource);
  if (origin !== undefined) document.origin = origin;
  const http = makeHttp(attributes, span.kind === SpanKind.SERVER, span.events);
  if (http !== undefined) document.http = http;
  const aws = makeAws(attributes, resource);
  if (aws !== undefined) document.aws = aws;
  const service = serviceOf(resource);
  if (service !== undefined) document.service = service;
  const sql = makeSql(span.name, attributes);
  if (sql !== undefined) document.sql = sql;
  Object.assign(document, makeXRayAttributes(attributes, sql === undefined ? isHttpOrAws : isHttpAwsOrSql, isSubsegment ? undefined : resource));
  if (span.links.length > 0) {
    document.links = span.links.map((link) => {
      const entry: NonNullable<SegmentDocument['links']>[number] = { trace_id: formatRoot(link.context.traceId), id: link.context.spanId };
      if (link.attributes !== undefined && Object.keys(link.attributes).length > 0) entry.attributes = { ...link.attributes };
      return entry;
    });
  }
  return applySchemaLimits(document);
}
