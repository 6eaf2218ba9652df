import { SpanKind } from '@opentelemetry/api';
import { nonEmptyString } from '../../common/index.js';
import type { Attributes, SegmentDocument } from './types.js';

// X-Ray segment names: Unicode letters and digits, the plain space and _ . : / % & # = + - @.
// The schema also lists `\`; the collector's awsxray exporter removes it, and so does this.
const INVALID_NAME_CHARS = /[^ \p{L}\p{N}_.:/%&#=+\-@]/gu;
const MAX_NAME_LENGTH = 200;
const DEFAULT_NAME = 'span';
const AWS_SDK_PREFIXES = ['AWS.SDK.', 'AWS::'];
const LOCAL_ROOT = 'LOCAL_ROOT';

/** A segment name as X-Ray accepts it: invalid characters (tab, newline, backslash…) removed, at most 200 characters. */
export function fixSegmentName(name: string): string {
  const fixed = Array.from(name.replace(INVALID_NAME_CHARS, '')).slice(0, MAX_NAME_LENGTH).join('');
  return fixed === '' ? DEFAULT_NAME : fixed;
}

export const isAwsSdkSpan = (attributes: Attributes): boolean => attributes['rpc.system'] === 'aws-api';

/** `AWS.SDK.S3` / `AWS::S3` → `S3`, for AWS SDK spans only (as the collector trims them). */
function trimAwsSdkPrefix(name: string, attributes: Attributes): string {
  if (!isAwsSdkSpan(attributes)) return name;
  const prefix = AWS_SDK_PREFIXES.find((candidate) => name.startsWith(candidate));
  return prefix === undefined ? name : name.slice(prefix.length);
}

function hostOf(connectionString: string): string | undefined {
  try {
    return new URL(connectionString.replace(/^jdbc:/, '')).hostname || undefined;
  } catch {
    return undefined;
  }
}

const isOutgoing = (kind: SpanKind): boolean => kind === SpanKind.CLIENT || kind === SpanKind.PRODUCER || kind === SpanKind.CONSUMER;

/** The X-Ray-specific service names (aws.local.service / aws.remote.service) that win over every other attribute. */
function xrayServiceName(kind: SpanKind, attributes: Attributes): string | undefined {
  if (kind === SpanKind.SERVER || (kind === SpanKind.INTERNAL && attributes['aws.span.kind'] === LOCAL_ROOT)) {
    return nonEmptyString(attributes['aws.local.service']);
  }
  if (isOutgoing(kind)) {
    const remote = nonEmptyString(attributes['aws.remote.service']);
    return remote === undefined ? undefined : trimAwsSdkPrefix(remote, attributes);
  }
  return undefined;
}

type NameAndNamespace = { name: string; namespace?: SegmentDocument['namespace'] };

/**
 * Name and namespace in the collector's order. X-Ray names (sub)segments after services, not
 * operations: `aws.local.service` (SERVER) or `aws.remote.service` (CLIENT, PRODUCER,
 * CONSUMER), `peer.service`, `aws.service`, `db.name@host`, the service itself for a server
 * span, `rpc.service`, the peer host, and only then the span name. The namespace is `aws`
 * for AWS SDK calls (`rpc.system=aws-api`) and when the name came from `aws.service`;
 * otherwise `remote` for CLIENT spans, and for outgoing subsegments named by `aws.remote.service`.
 */
export function nameAndNamespace(spanName: string, kind: SpanKind, attributes: Attributes, resource: Attributes, isSubsegment: boolean): NameAndNamespace {
  let namespace: SegmentDocument['namespace'] = isAwsSdkSpan(attributes) ? 'aws' : undefined;
  let name = xrayServiceName(kind, attributes) ?? nonEmptyString(attributes['peer.service']);
  if (name === undefined) {
    name = nonEmptyString(attributes['aws.service']);
    if (name !== undefined) namespace = 'aws';
  }
  if (name === undefined) {
    const dbName = nonEmptyString(attributes['db.name']) ?? nonEmptyString(attributes['db.namespace']);
    const connection = nonEmptyString(attributes['db.connection_string']);
    const host = connection === undefined ? undefined : hostOf(connection);
    if (dbName !== undefined) name = host === undefined ? dbName : `${dbName}@${host}`;
  }
  if (name === undefined && kind === SpanKind.SERVER) name = nonEmptyString(resource['service.name']);
  name ??= nonEmptyString(attributes['rpc.service']) ?? nonEmptyString(attributes['http.host']) ?? nonEmptyString(attributes['net.peer.name']);
  // The stable-convention counterpart of net.peer.name, so outbound calls name the host they reach.
  if (name === undefined && kind === SpanKind.CLIENT) name = nonEmptyString(attributes['server.address']);
  if (namespace === undefined && (kind === SpanKind.CLIENT || (isSubsegment && isOutgoing(kind) && nonEmptyString(attributes['aws.remote.service']) !== undefined))) {
    namespace = 'remote';
  }
  return { name: fixSegmentName(name ?? spanName), namespace };
}
