import { PREFIX } from './errors.js';

/** Edit distance between two short option names (insert, delete, replace: one each). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const replace = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(replace, (previous[j] as number) + 1, (current[j - 1] as number) + 1);
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/**
 * The allowed name someone most likely meant: the same name in another case
 * (`servicename`), one within two edits (`serviceNmae`), or one the key shortens or extends
 * (`outboundRoot`, `ignorePaths`). Undefined when nothing is close.
 */
function likelyIntended(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = allowed.find((name) => name.toLowerCase() === lower);
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of allowed) {
    const other = name.toLowerCase();
    const distance = editDistance(lower, other);
    if (distance < bestDistance) [best, bestDistance] = [name, distance];
  }
  if (best !== undefined) return best;
  if (lower.length < 4) return undefined;
  // A shortened name (`outboundRoot`) first, then one with something added (`ignorePaths`).
  return (
    allowed.find((name) => name.toLowerCase().startsWith(lower)) ??
    allowed.find((name) => name.length >= 4 && lower.startsWith(name.toLowerCase()))
  );
}

/**
 * Throws a TypeError for the first key of `options` that is not in `allowed`, naming it, the
 * allowed keys and the one most likely meant:
 * `otel-xray: unknown startTracing option "servicename" (allowed: …); did you mean "serviceName"?`
 *
 * @example
 * rejectUnknownKeys('middleware option', { ignorePaths: [] }, ['responseHeader', 'ignore']);
 */
export function rejectUnknownKeys(what: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const intended = likelyIntended(key, allowed);
    const hint = intended === undefined ? '' : `; did you mean ${JSON.stringify(intended)}?`;
    throw new TypeError(`${PREFIX}unknown ${what} ${JSON.stringify(key)} (allowed: ${allowed.join(', ')})${hint}`);
  }
}
