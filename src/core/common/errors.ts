/** The prefix of every message otel-xray writes, so a log line says where it came from. */
export const PREFIX = 'otel-xray: ';

/** A short, never-throwing rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value instanceof RegExp) return String(value);
  if (typeof value === 'bigint' || typeof value === 'symbol') return `${String(value)} (${typeof value})`;
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/**
 * The one shape of every option error: `otel-xray: <what> must be <allowed> (got <value>)`.
 *
 * @example
 * throw invalidOption('samplerArg', 'a number from 0 to 1', 'abc');
 */
export function invalidOption(what: string, allowed: string, got: unknown): TypeError {
  return new TypeError(`${PREFIX}${what} must be ${allowed} (got ${describeValue(got)})`);
}

/** What went wrong, even when the thrown thing cannot be printed. */
export function errorMessage(error: unknown): string {
  try {
    return error instanceof Error ? String(error.message) : String(error);
  } catch {
    return 'an unprintable error';
  }
}

/**
 * A short, low-cardinality `error.type`: the error's `code` (`ECONNREFUSED`, `UND_ERR_SOCKET`),
 * else its name (`TimeoutError`, `ConditionalCheckFailedException`), else its class
 * (`class NotFound extends Error`), else the type of the thrown value. Never throws.
 */
export function errorType(error: unknown): string {
  try {
    if (typeof error !== 'object' || error === null) return typeof error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
    const className = (error as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof className === 'string' && className !== '' && className !== 'Object' ? className : 'Error';
  } catch {
    return 'Error';
  }
}
