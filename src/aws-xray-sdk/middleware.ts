import { type WildcardMatcher, compileWildcard } from '../core/index.js';
import { disableCentralizedSampling, setSamplingRules, setTracingServiceName } from './tracing.js';

/*
 * aws-xray-sdk's `middleware` object: how the framework middleware names segments, and the
 * sampling calls. `AWS_XRAY_TRACING_NAME` names every segment and wins over setDefaultName.
 */

const naming: { defaultName: string | undefined; dynamic: boolean; hostPattern: WildcardMatcher | undefined } = {
  defaultName: process.env.AWS_XRAY_TRACING_NAME || undefined,
  dynamic: false,
  hostPattern: undefined,
};
const nameFromEnv = naming.defaultName !== undefined;
if (naming.defaultName !== undefined) setTracingServiceName(naming.defaultName);


/** The segment name when no host header (or no dynamic naming) says otherwise. */
export function setDefaultName(name: string): void {
  if (nameFromEnv) return;
  naming.defaultName = name;
  setTracingServiceName(name);
}

/** Names segments after the request's Host header; with `hostPattern`, only hosts matching it. */
export function enableDynamicNaming(hostPattern?: string): void {
  if (hostPattern && typeof hostPattern !== 'string') throw new Error('Host pattern must be a string.');
  naming.dynamic = true;
  naming.hostPattern = hostPattern ? compileWildcard(hostPattern) : undefined;
}

/** The segment name for a request with this Host header. */
export function resolveName(host: string | undefined): string {
  const fallback = naming.defaultName ?? 'unknown_service';
  if (!naming.dynamic || !host) return fallback;
  return naming.hostPattern === undefined || naming.hostPattern(host) ? host : fallback;
}

export const middleware = {
  setDefaultName,
  enableDynamicNaming,
  resolveName,
  setSamplingRules,
  disableCentralizedSampling,
};
