// Namespace imports: an ESM bundle's banner often declares `createRequire` itself.
import * as nodeModule from 'node:module';
import * as nodeUrl from 'node:url';

// A built-in resolves the same from any folder, so one require function serves both builds
// (ESM has no `require`, CJS no `import.meta`).
const requireBuiltin = nodeModule.createRequire(nodeUrl.pathToFileURL('/').href);

/**
 * node:https, loaded on first use: it loads TLS, a large part of a cold start, and only an
 * export or sampling endpoint on `https:` needs it.
 *
 * @example
 * const { request } = httpsModule();
 */
export function httpsModule(): typeof import('node:https') {
  return requireBuiltin('node:https') as typeof import('node:https');
}
