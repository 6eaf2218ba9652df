/**
 * Parses and formats the X-Ray trace header (`X-Amzn-Trace-Id`).
 *
 * The tidy form (`Root=…;Parent=…;Sampled=0|1`) is read and written by
 * `@opentelemetry/propagator-aws-xray` (see propagator.ts). This parser covers what AWS front
 * ends really send and the stock propagator rejects: `Root=` alone (ALB, API Gateway),
 * `Sampled=?` or no `Sampled` (a deferred decision), spaces around `=`, lower-case keys, and
 * `Lineage`. Parsing never throws: anything unusable yields `undefined`.
 */

/** The header's name as written on requests and responses. */
export const XRAY_HEADER = 'X-Amzn-Trace-Id';
/** The same name as Node and most carriers hold it (lower case). */
export const XRAY_HEADER_KEY = XRAY_HEADER.toLowerCase();

const ROOT_KEY = 'root';
const PARENT_KEY = 'parent';
const SAMPLED_KEY = 'sampled';
const LINEAGE_KEY = 'lineage';
const ROOT_VERSION = '1';
const ROOT_LENGTH = 35; // 1-xxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx
const SPAN_ID_LENGTH = 16;
/** Longer headers are not parsed: real ones are under 300 characters. */
const MAX_HEADER_LENGTH = 1024;
/**
 * Lambda's recursion-detection `Lineage` (version 2): `counter:hash:counter`, e.g. `3:d2b0e4b0:1`,
 * with the limits the OTel X-Ray propagators (Java contrib `AwsXrayPropagator`) check: first
 * counter 0 to 32767, 8 lower-case hex digits, second counter 0 to 255. So a carried-on value
 * is at most 18 characters: the header we write never grows with it.
 */
const LINEAGE_PATTERN = /^(\d{1,5}):[0-9a-f]{8}:(\d{1,3})$/;
const LINEAGE_MAX_FIRST_COUNTER = 32767;
const LINEAGE_MAX_SECOND_COUNTER = 255;
const HEX_PATTERN = /^[0-9a-f]+$/;
const ALL_ZEROS = /^0+$/;

/** What an `X-Amzn-Trace-Id` header says. `sampled` is undefined when the caller deferred the decision. */
export interface XRayHeader {
  /** OTel form: 32 lower-case hex digits. */
  traceId: string;
  /** 16 lower-case hex digits, absent for a Root-only header. */
  parentId?: string;
  sampled?: boolean;
  lineage?: string;
}

function isHexId(value: string, length: number): boolean {
  return value.length === length && HEX_PATTERN.test(value) && !ALL_ZEROS.test(value);
}

/** A valid `Lineage` value as it was received, else undefined. */
function parseLineage(value: string): string | undefined {
  const match = LINEAGE_PATTERN.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) <= LINEAGE_MAX_FIRST_COUNTER && Number(match[2]) <= LINEAGE_MAX_SECOND_COUNTER ? value : undefined;
}

/** `1-5759e988-bd862e3fe1be46a994272793` → `5759e988bd862e3fe1be46a994272793`, or undefined. */
export function parseRoot(root: string): string | undefined {
  if (root.length !== ROOT_LENGTH || root[0] !== ROOT_VERSION || root[1] !== '-' || root[10] !== '-') return undefined;
  const traceId = (root.slice(2, 10) + root.slice(11)).toLowerCase();
  return isHexId(traceId, 32) ? traceId : undefined;
}

/** `5759e988bd862e3fe1be46a994272793` → `1-5759e988-bd862e3fe1be46a994272793`. */
export function formatRoot(traceId: string): string {
  return `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
}

/**
 * The header's text as a carrier holds it (a string, or a one-element array), if it is fit to
 * parse: several values, or values joined by a comma, cannot be trusted; real headers are short.
 */
export function headerText(value: unknown): string | undefined {
  const text = Array.isArray(value) && value.length === 1 ? (value[0] as unknown) : value;
  if (typeof text !== 'string' || text.length > MAX_HEADER_LENGTH || text.includes(',')) return undefined;
  return text;
}

/**
 * Reads an `X-Amzn-Trace-Id` value. Keys in any order and case, spaces around `;` and `=`
 * allowed; `Self` and unknown keys are skipped; a bad `Lineage` is dropped, not fatal.
 *
 * @example
 * parseXRayHeader('Self=1-67891233-12456789abcdef012345678;Root=1-67891233-abcdef012345678912345678');
 * // → { traceId: '67891233abcdef012345678912345678', parentId: undefined, sampled: undefined, lineage: undefined }
 */
export function parseXRayHeader(value: unknown): XRayHeader | undefined {
  const header = headerText(value);
  if (header === undefined) return undefined;
  let traceId: string | undefined;
  let parentId: string | undefined;
  let sampled: boolean | undefined;
  let lineage: string | undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const value = part.slice(eq + 1).trim();
    if (key === ROOT_KEY) {
      traceId = parseRoot(value);
      if (traceId === undefined) return undefined;
    } else if (key === PARENT_KEY) {
      const id = value.toLowerCase();
      if (!isHexId(id, SPAN_ID_LENGTH)) return undefined;
      parentId = id;
    } else if (key === SAMPLED_KEY) {
      sampled = value === '1' ? true : value === '0' ? false : undefined;
    } else if (key === LINEAGE_KEY) {
      lineage = parseLineage(value);
    }
    // Any other key (ALB's `Self`, fields an app added) describes one hop only: not carried on.
  }
  if (traceId === undefined) return undefined;
  return { traceId, parentId, sampled, lineage };
}

/**
 * The response header: the request's trace and the sampling decision made for it, as an ALB or
 * API Gateway answers (`Root=…;Sampled=0|1`).
 */
export function formatResponseHeader(traceId: string, sampled: boolean): string {
  return `Root=${formatRoot(traceId)};Sampled=${sampled ? '1' : '0'}`;
}

/**
 * A written header with the caller's `Lineage` carried on (a value `parseXRayHeader` accepted,
 * so the header never grows hop after hop), or unchanged without one.
 *
 * @example
 * withLineage('Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1', '3:d2b0e4b0:1');
 * // → 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=3:d2b0e4b0:1'
 */
export function withLineage(header: string, lineage: string | undefined): string {
  return lineage === undefined ? header : `${header};Lineage=${lineage}`;
}
