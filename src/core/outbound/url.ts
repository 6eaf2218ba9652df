/**
 * `url.full` for client spans, with what the HTTP semantic conventions say must not be
 * recorded taken out: credentials in the authority, and the values of query parameters
 * that carry signatures or keys. Hand-written: it runs on every sampled outbound call, and
 * `new URL()` would parse, normalise and re-serialise the whole URL to change a few values.
 */

const REDACTED = 'REDACTED';

/** Query parameters whose values the semantic conventions list as sensitive, plus the other AWS signing parameters. */
const DEFAULT_SENSITIVE_QUERY_KEYS = [
  'AWSAccessKeyId',
  'Signature',
  'sig',
  'X-Amz-Signature',
  'X-Amz-Credential',
  'X-Amz-Security-Token',
  'X-Goog-Signature',
];

/** Lower-cased query parameter names whose values are redacted. */
export type SensitiveQueryKeys = ReadonlySet<string>;

/**
 * The default sensitive query parameter names plus `extra`, lower-cased: names match
 * case-insensitively, since servers such as S3 accept `x-amz-signature` as well.
 *
 * @example
 * const keys = sensitiveQueryKeys(['token', 'api_key']);
 */
export function sensitiveQueryKeys(extra: readonly string[] = []): SensitiveQueryKeys {
  return new Set([...DEFAULT_SENSITIVE_QUERY_KEYS, ...extra].map((key) => key.toLowerCase()));
}

const DEFAULT_KEYS = sensitiveQueryKeys();

/** The name a server reads from a raw query key: percent-decoded (`X%2DAmz%2DSignature`), lower-cased. */
function normalizeKey(key: string): string {
  if (!key.includes('%')) return key.toLowerCase();
  try {
    return decodeURIComponent(key).toLowerCase();
  } catch {
    // A malformed escape: servers keep such a name as it is.
    return key.toLowerCase();
  }
}

/** `user:pass@` → `REDACTED:REDACTED@` in an origin such as `https://user:pass@host:8443`. */
function redactUserInfo(origin: string): string {
  const at = origin.lastIndexOf('@');
  if (at < 0) return origin;
  const scheme = origin.indexOf('//');
  if (scheme < 0 || at < scheme) return origin;
  return `${origin.slice(0, scheme + 2)}${REDACTED}:${REDACTED}${origin.slice(at)}`;
}

/**
 * A query string (without `?`) with the values of sensitive parameters replaced by `REDACTED`;
 * every other byte is kept as it was.
 *
 * @example
 * redactQuery('x-amz-signature=abc&x=1'); // 'x-amz-signature=REDACTED&x=1'
 */
export function redactQuery(query: string, keys: SensitiveQueryKeys = DEFAULT_KEYS): string {
  let out = '';
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    const pair = query.slice(start, end);
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    out += eq >= 0 && keys.has(normalizeKey(key)) ? `${key}=${REDACTED}` : pair;
    if (end < query.length) out += '&';
    start = end + 1;
  }
  return out;
}

/**
 * Joins an origin (`scheme://[user:pass@]host[:port]`) and a request target (`/path?query#frag`)
 * into `url.full`, redacted.
 *
 * @example
 * fullUrl('https://u:p@s3.amazonaws.com', '/b/k?X-Amz-Signature=abc&x=1');
 * // 'https://REDACTED:REDACTED@s3.amazonaws.com/b/k?X-Amz-Signature=REDACTED&x=1'
 */
export function fullUrl(origin: string, target: string, keys: SensitiveQueryKeys = DEFAULT_KEYS): string {
  const base = redactUserInfo(origin);
  const question = target.indexOf('?');
  if (question < 0) return base + target;
  const hash = target.indexOf('#', question);
  const query = hash < 0 ? target.slice(question + 1) : target.slice(question + 1, hash);
  return `${base}${target.slice(0, question + 1)}${redactQuery(query, keys)}${hash < 0 ? '' : target.slice(hash)}`;
}
