/** A compiled X-Ray rule pattern: true when the request's value matches it. */
export type WildcardMatcher = (text: string | undefined) => boolean;

const matchAll: WildcardMatcher = () => true;
const SPECIAL = /[.+^${}()|[\]\\]/g;

/**
 * Compiles an X-Ray sampling-rule pattern once, at start-up: `*` matches any run of
 * characters, `?` exactly one, and matching ignores case, as the X-Ray SDKs and daemon do.
 * Hand-written because no package exposes X-Ray's matcher (the contrib sampler compiles a
 * RegExp on every call), and a rule is matched on every sampled root span.
 */
export function compileWildcard(pattern: string): WildcardMatcher {
  if (pattern === '*') return matchAll;
  const source = pattern.replace(SPECIAL, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const regex = new RegExp(`^${source}$`, 'is');
  return (text) => text !== undefined && regex.test(text);
}
