import type { IncomingMessage } from 'node:http';
import type { IgnoreOption, MiddlewareOptions } from './types.js';

/** Middleware options, checked once when the middleware is created. */
export interface MiddlewareSettings {
  readonly responseHeader: boolean;
  readonly ignore: ((req: IncomingMessage, path: string) => boolean) | undefined;
}

function optionError(message: string): TypeError {
  return new TypeError(`otel-xray: ${message}`);
}

/** `'/health'` matches `/health` and `/health/…`; a RegExp is tested against the path. */
function compilePathMatcher(pattern: string | RegExp): (path: string) => boolean {
  if (pattern instanceof RegExp) return (path) => pattern.test(path);
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw optionError(`ignore paths must be strings starting with "/" or RegExps (got ${JSON.stringify(pattern)})`);
  }
  const prefix = pattern.endsWith('/') ? pattern : `${pattern}/`;
  return (path) => path === pattern || path.startsWith(prefix);
}

function compileIgnore(ignore: IgnoreOption | undefined): MiddlewareSettings['ignore'] {
  if (ignore === undefined) return undefined;
  if (typeof ignore === 'function') return (req) => ignore(req);
  const matchers = (Array.isArray(ignore) ? ignore : [ignore]).map(compilePathMatcher);
  return (_req, path) => matchers.some((matches) => matches(path));
}

export function compileMiddlewareOptions(options: MiddlewareOptions = {}): MiddlewareSettings {
  if (typeof options !== 'object' || options === null) throw optionError('middleware options must be an object');
  const { responseHeader = true, ignore } = options;
  if (typeof responseHeader !== 'boolean') throw optionError(`responseHeader must be true or false (got ${JSON.stringify(responseHeader)})`);
  return { responseHeader, ignore: compileIgnore(ignore) };
}
