import { diag } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import type { IgnoreOption, MiddlewareOptions } from '../types.js';
import { invalidOption, rejectUnknownKeys } from '../common/index.js';

/** Middleware options, checked once when the middleware is created. */
export interface MiddlewareSettings {
  readonly responseHeader: boolean;
  /** True for a request not to trace. Never throws. */
  readonly ignore: ((req: IncomingMessage, path: string) => boolean) | undefined;
}

const OPTION_NAMES = ['responseHeader', 'ignore'];
const IGNORE_ALLOWED = 'a path string starting with "/", a RegExp, an array of those, or a function (req) => boolean';

type PathMatcher = (path: string) => boolean;

/** `'/health'` matches `/health` and `/health/…`; a RegExp is tested against the path. */
function compilePathMatcher(pattern: unknown): PathMatcher {
  if (pattern instanceof RegExp) {
    // Without the g and y flags `test` keeps no state (lastIndex) from one request to the next.
    const regexp = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
    return (path) => regexp.test(path);
  }
  if (typeof pattern !== 'string' || !pattern.startsWith('/')) {
    throw invalidOption('ignore', IGNORE_ALLOWED, pattern);
  }
  if (pattern === '/') return () => true;
  const exact = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern;
  const prefix = `${exact}/`;
  return (path) => path === exact || path.startsWith(prefix);
}

function compilePredicate(predicate: (req: IncomingMessage) => boolean): MiddlewareSettings['ignore'] {
  return (req) => {
    try {
      return predicate(req) === true;
    } catch (error) {
      diag.warn(`otel-xray: the ignore function threw, the request is traced: ${String(error)}`);
      return false;
    }
  };
}

function compileIgnore(ignore: IgnoreOption | undefined): MiddlewareSettings['ignore'] {
  if (ignore === undefined) return undefined;
  if (typeof ignore === 'function') return compilePredicate(ignore);
  const matchers = (Array.isArray(ignore) ? ignore : [ignore]).map(compilePathMatcher);
  if (matchers.length === 0) return undefined;
  if (matchers.length === 1) {
    const [matches] = matchers as [PathMatcher];
    return (_req, path) => matches(path);
  }
  return (_req, path) => matchers.some((matches) => matches(path));
}

/**
 * Checks the options shared by the express, fastify and koa middleware; throws a TypeError
 * naming a bad option and what it accepts.
 *
 * @example
 * const settings = compileMiddlewareOptions({ ignore: ['/health', /^\/metrics/] });
 */
export function compileMiddlewareOptions(options: MiddlewareOptions = {}): MiddlewareSettings {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw invalidOption('middleware options', `an object with ${OPTION_NAMES.join(', ')}`, options);
  }
  rejectUnknownKeys('middleware option', options, OPTION_NAMES);
  const { responseHeader = true, ignore } = options;
  if (typeof responseHeader !== 'boolean') throw invalidOption('responseHeader', 'true or false', responseHeader);
  return { responseHeader, ignore: compileIgnore(ignore) };
}
