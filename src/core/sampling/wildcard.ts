/** A compiled X-Ray rule pattern: true when the request's value matches it. */
export type WildcardMatcher = (text: string | undefined) => boolean;

const matchAll: WildcardMatcher = () => true;

/** Pattern codes for `*` and `?`; every other code is a case-folded UTF-16 code unit (0 or more). */
const STAR = -1;
const ANY_ONE = -2;

/**
 * One UTF-16 code unit, case-folded: ASCII by arithmetic, the rest when it lower-cases to one
 * non-ASCII unit (so the Kelvin sign stays apart from `k`, as in a case-insensitive RegExp).
 */
function fold(code: number): number {
  if (code < 0x80) return code >= 0x41 && code <= 0x5a ? code + 0x20 : code;
  const lower = String.fromCharCode(code).toLowerCase();
  return lower.length === 1 && lower.charCodeAt(0) >= 0x80 ? lower.charCodeAt(0) : code;
}

/**
 * Greedy two-pointer matching with one backtrack point, the last `*` seen: when a literal
 * fails after a `*`, that `*` takes one more character and matching resumes from there.
 * Earlier stars never need revisiting, so the cost is at most text length × pattern length,
 * and the pattern is fixed when the rule is loaded: time linear in the request's value,
 * whatever an attacker puts in it (a backtracking RegExp is exponential in the stars).
 */
function matches(pattern: Int32Array, text: string): boolean {
  const textLength = text.length;
  const patternLength = pattern.length;
  let p = 0;
  let t = 0;
  let starAt = -1;
  let starText = 0;
  while (t < textLength) {
    if (p < patternLength) {
      const code = pattern[p] as number;
      if (code === STAR) {
        starAt = p;
        starText = t;
        p += 1;
        continue;
      }
      if (code === ANY_ONE || code === fold(text.charCodeAt(t))) {
        p += 1;
        t += 1;
        continue;
      }
    }
    if (starAt < 0) return false;
    p = starAt + 1;
    starText += 1;
    t = starText;
  }
  while (p < patternLength && pattern[p] === STAR) p += 1;
  return p === patternLength;
}

/**
 * Compiles an X-Ray sampling-rule pattern once, at start-up: `*` matches any run of
 * characters, `?` exactly one, and matching ignores case, as the X-Ray SDKs and daemon do.
 * Hand-written because no package exposes X-Ray's matcher, and a rule is matched on every
 * sampled root span against request data (Host, path, method, attributes) a caller controls.
 */
export function compileWildcard(pattern: string): WildcardMatcher {
  if (pattern === '*') return matchAll;
  const codes = new Int32Array(pattern.length);
  let length = 0;
  for (let i = 0; i < pattern.length; i += 1) {
    const code = pattern.charCodeAt(i);
    // Consecutive stars match what one does; collapsing them keeps the pattern short.
    if (code === 0x2a && length > 0 && codes[length - 1] === STAR) continue;
    codes[length] = code === 0x2a ? STAR : code === 0x3f ? ANY_ONE : fold(code);
    length += 1;
  }
  const compiled = codes.subarray(0, length);
  return (text) => text !== undefined && matches(compiled, text);
}
