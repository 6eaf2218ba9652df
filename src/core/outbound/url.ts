/**
 * `url.full` for client spans, with what the HTTP semantic conventions say must not be
 * recorded taken out: credentials in the authority, and the values of query parameters
 * that carry signatures or keys. Hand-written: it runs on every sampled outbound call, and
 * `new URL()` would parse, normalise and re-serialise the whole URL to change a few values.
 */

const REDACTED = 'REDACTED';

/** Query parameters whose values the semantic conventions list as sensitive (case-sensitive names, as S3 and friends use them). */
const SENSITIVE_QUERY_KEYS = new Set(['AWSAccessKeyId', 'Signature', 'sig', 'X-Amz-Signature', 'X-Amz-Credential', 'X-Amz-Security-Token']);

/** `user:pass@` → `REDACTED:REDACTED@` in an origin such as `https://user:pass@host:8443`. */
function redactUserInfo(origin: string): string {
  const at = origin.lastIndexOf('@');
  if (at < 0) return origin;
  const scheme = origin.indexOf('//');
  if (scheme < 0 || at < scheme) return origin;
  return `${origin.slice(0, scheme + 2)}${REDACTED}:${REDACTED}${origin.slice(at)}`;
}

function redactQuery(query: string): string {
  let out = '';
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    const pair = query.slice(start, end);
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    out += eq >= 0 && SENSITIVE_QUERY_KEYS.has(key) ? `${key}=${REDACTED}` : pair;
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
export function fullUrl(origin: string, target: string): string {
  const base = redactUserInfo(origin);
  const question = target.indexOf('?');
  if (question < 0) return base + target;
  const hash = target.indexOf('#', question);
  const query = hash < 0 ? target.slice(question + 1) : target.slice(question + 1, hash);
  return `${base}${target.slice(0, question + 1)}${redactQuery(query)}${hash < 0 ? '' : target.slice(hash)}`;
}
