import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { randomBytes } from 'node:crypto';
import { statusCodeOf } from './http.js';
import { EXCEPTION_REMOTE_ATTRIBUTE, XRAY_FLAG_ATTRIBUTES } from '../../xray/flags.js';
import type { SegmentDocument, SegmentException } from './types.js';

const EXCEPTION_EVENT = 'exception';
const FRAME_PREFIX = '    at ';
// `label (path:line:column)` or a bare `path:line:column`; the path may itself hold colons (file:///…).
const FRAME_LOCATION = /^(.*):(\d+):\d+$/;

type Flags = Pick<SegmentDocument, 'fault' | 'error' | 'throttle' | 'cause'>;

const exceptionId = (): string => randomBytes(8).toString('hex');

/** Stack frames from a V8 stack trace (`    at label (path:line:col)`), the first line being the message. */
function parseStack(stacktrace: string): SegmentException['stack'] {
  const frames: NonNullable<SegmentException['stack']> = [];
  for (const line of stacktrace.split('\n').slice(1)) {
    if (!line.startsWith(FRAME_PREFIX)) continue;
    const body = line.slice(FRAME_PREFIX.length).trim();
    const open = body.indexOf(' (');
    const hasLabel = open >= 0 && body.endsWith(')');
    const label = hasLabel ? body.slice(0, open) : '';
    const location = hasLabel ? body.slice(open + 2, -1) : body;
    const match = FRAME_LOCATION.exec(location);
    const frame: { path?: string; line?: number; label?: string } = { path: match ? match[1] : location };
    if (match) frame.line = Number(match[2]);
    if (label !== '') frame.label = label;
    frames.push(frame);
  }
  return frames;
}

function exceptionsFromEvents(span: ReadableSpan): SegmentException[] {
  const remote = span.kind === SpanKind.CLIENT || span.kind === SpanKind.PRODUCER;
  const exceptions: SegmentException[] = [];
  for (const event of span.events) {
    if (event.name !== EXCEPTION_EVENT) continue;
    const attributes = event.attributes ?? {};
    // An explicit mark (aws-xray-sdk's addError(err, remote)) wins over the span kind.
    const marked = attributes[EXCEPTION_REMOTE_ATTRIBUTE];
    const exception: SegmentException = { id: exceptionId(), remote: typeof marked === 'boolean' ? marked : remote };
    if (typeof attributes['exception.type'] === 'string') exception.type = attributes['exception.type'];
    if (typeof attributes['exception.message'] === 'string') exception.message = attributes['exception.message'];
    const stacktrace = attributes['exception.stacktrace'];
    if (typeof stacktrace === 'string' && stacktrace !== '') {
      const stack = parseStack(stacktrace);
      if (stack !== undefined && stack.length > 0) exception.stack = stack;
    }
    exceptions.push(exception);
  }
  return exceptions;
}

/**
 * `fault`, `error`, `throttle` and `cause`: exception events become `cause.exceptions[]`; an
 * ERROR status without one becomes a single exception carrying the status message. A 4xx
 * status code is an error (429 also a throttle), 5xx a fault; without a status code in that
 * range, ERROR status is a fault. The `aws.xray.error|fault|throttle` attributes add their flag.
 */
export function makeCause(span: ReadableSpan): Flags {
  const flags: Flags = { fault: false, error: false, throttle: false };
  const exceptions = exceptionsFromEvents(span);
  if (exceptions.length > 0) {
    flags.cause = { exceptions };
  } else if (span.status.code === SpanStatusCode.ERROR) {
    const message = span.status.message || (typeof span.attributes['http.status_text'] === 'string' ? span.attributes['http.status_text'] : '');
    if (message !== '') flags.cause = { exceptions: [{ id: exceptionId(), message }] };
  }
  const code = statusCodeOf(span.attributes);
  if (code !== undefined && code >= 400 && code <= 499) {
    flags.error = true;
    flags.throttle = code === 429;
  } else if (code !== undefined && code >= 500 && code <= 599) {
    flags.fault = true;
  } else if (span.status.code === SpanStatusCode.ERROR) {
    flags.fault = true;
  }
  if (span.attributes[XRAY_FLAG_ATTRIBUTES.error] === true) flags.error = true;
  if (span.attributes[XRAY_FLAG_ATTRIBUTES.fault] === true) flags.fault = true;
  if (span.attributes[XRAY_FLAG_ATTRIBUTES.throttle] === true) flags.throttle = true;
  return flags;
}
