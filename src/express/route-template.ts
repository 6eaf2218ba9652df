import type { IncomingMessage } from 'node:http';
import { pathOf, targetOf } from '../core/index.js';

/**
 * The full route template of an express request (`/t/:tenant/items/:id`), learnt from the
 * app's router stack: the mount path each router was added with, never the path it matched.
 * A name built from the matched path would carry raw values (`/t/b25o5p05/items/:id`) and
 * their case (`/ADMIN/users/:id`), one span name per tenant or spelling.
 */

/** The parts of express's request the route is read from (express 4 and 5 alike). */
export interface RoutedRequest extends IncomingMessage {
  app?: unknown;
  route?: { path?: unknown };
}

/** One entry of a router's stack: a route, or a mounted router, sub-app or middleware. */
interface Layer {
  handle?: unknown;
  route?: unknown;
  /** express 5 (router 2.3+): the path the layer was added with. */
  rawPath?: unknown;
  /** express 4: the path compiled by path-to-regexp 0.1, and its parameter names. */
  regexp?: unknown;
  keys?: unknown;
  /** express 5: added without a path, or with `/`. */
  slash?: unknown;
}

/** An express app, as far as the route templates need it. */
interface App {
  _router?: unknown;
  router?: unknown;
  mountpath?: unknown;
  parent?: unknown;
}

/** Deeper nesting than this is not followed (a router mounted inside itself, say). */
const MAX_DEPTH = 32;

/** Where a route sits: the app whose stack holds it, and the mount templates of the routers it is reachable through there. */
interface RoutePlace {
  readonly app: App;
  readonly mounts: readonly string[];
}

/** A route object → its place, learnt when a request first matched it. */
const placeByRoute = new WeakMap<object, RoutePlace>();
/** An app → routes its stack was walked for in vain (a sub-app's route, seen after an error left the sub-app). */
const unreachableFrom = new WeakMap<object, WeakSet<object>>();
/** Stands for the app when express gave the request none. */
const NO_APP: App = {};

/** `(?:\/([^/]+?))`: a `/:name` segment as path-to-regexp 0.1 compiles it; `?` after it: optional. */
const EXPRESS4_PARAM = /\(\?:\\\/\(\[\^\/\]\+\?\)\)(\?)?/g;
/** How path-to-regexp 0.1 ends a mount path (`end: false`): an optional slash, then a lookahead. */
const EXPRESS4_MOUNT_END = /(?:\\\/\?)?\(\?=\\\/\|\$\)$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null;
}

/** A mount path as a prefix: `/` and `` are no prefix, a trailing slash is dropped. */
function asPrefix(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

/** Literal text of a compiled path, or undefined when it holds regular-expression syntax. */
function literalOf(source: string): string | undefined {
  const text = source.replace(/\\([/.-])/g, '$1');
  return /[\\^$|?*+()[\]{}]/.test(text) ? undefined : text;
}

/** express 4 keeps only the compiled mount path: rebuild a plain `/a/:b` template from it. */
function templateOfExpress4(regexp: RegExp & { fast_slash?: unknown }, keys: unknown): string | undefined {
  if (regexp.fast_slash === true) return '';
  const { source } = regexp;
  if (!source.startsWith('^') || !EXPRESS4_MOUNT_END.test(source)) return undefined;
  const body = source.slice(1).replace(EXPRESS4_MOUNT_END, '');
  const names = Array.isArray(keys) ? keys.map((key: unknown) => (isObject(key) ? key.name : undefined)) : [];
  let template = '';
  let last = 0;
  let index = 0;
  for (const match of body.matchAll(EXPRESS4_PARAM)) {
    const literal = literalOf(body.slice(last, match.index));
    const name = names[index++];
    if (literal === undefined || typeof name !== 'string') return undefined;
    template += `${literal}/:${name}${match[1] ?? ''}`;
    last = match.index + match[0].length;
  }
  const rest = literalOf(body.slice(last));
  return rest === undefined || index !== names.length ? undefined : template + rest;
}

/** The template a router or sub-app was mounted with; undefined when it is not a plain path (a RegExp, an array). */
function mountTemplateOf(layer: Layer): string | undefined {
  if (typeof layer.rawPath === 'string') return asPrefix(layer.rawPath);
  if (layer.rawPath !== undefined) return undefined;
  if (layer.regexp instanceof RegExp) return templateOfExpress4(layer.regexp, layer.keys);
  return layer.slash === true ? '' : undefined;
}

function routerOf(app: App): unknown {
  // express 4 keeps its router in `_router` (its `router` getter throws); express 5 in `router`.
  if (app._router !== undefined) return app._router;
  try {
    return app.router;
  } catch {
    return undefined;
  }
}

/** Records, for every route reachable from `router`, the mount template it is reached through. */
function collectRoutes(router: unknown, prefix: string, depth: number, found: Map<object, string[]>): void {
  const stack = isObject(router) ? router.stack : undefined;
  if (!Array.isArray(stack) || depth > MAX_DEPTH) return;
  for (const entry of stack as unknown[]) {
    if (!isObject(entry)) continue;
    const layer = entry as Layer;
    if (isObject(layer.route)) {
      const mounts = found.get(layer.route) ?? [];
      if (!mounts.includes(prefix)) mounts.push(prefix);
      found.set(layer.route, mounts);
    } else if (isObject(layer.handle) && Array.isArray(layer.handle.stack)) {
      // A mount path that is not a template (a RegExp) is left out: only template parts make the name.
      collectRoutes(layer.handle, prefix + (mountTemplateOf(layer) ?? ''), depth + 1, found);
    }
  }
}

/**
 * Where `route` sits, looked for in `app` (the app running the request). The app's stack is
 * walked when the route is new (learning every route in it), and at most once per app for a
 * route it does not hold; undefined then.
 */
function placeOf(route: object, app: App): RoutePlace | undefined {
  const known = placeByRoute.get(route);
  if (known !== undefined) return known;
  let unreachable = unreachableFrom.get(app);
  if (unreachable?.has(route)) return undefined;
  const found = new Map<object, string[]>();
  collectRoutes(routerOf(app), '', 0, found);
  for (const [learnt, mounts] of found) placeByRoute.set(learnt, { app, mounts });
  const place = placeByRoute.get(route);
  if (place !== undefined) return place;
  if (unreachable === undefined) unreachableFrom.set(app, (unreachable = new WeakSet()));
  unreachable.add(route);
  return undefined;
}

/** Where a mounted sub-app sits in its parents: their mount paths, template parts only. */
function appPrefix(app: App): string {
  let prefix = '';
  let current: unknown = app;
  for (let depth = 0; depth < MAX_DEPTH && isObject(current) && isObject(current.parent); depth++) {
    const { mountpath } = current as App;
    if (typeof mountpath === 'string') prefix = asPrefix(mountpath) + prefix;
    current = current.parent;
  }
  return prefix;
}

/** Whether a template (`/t/:tenant`) can have matched the start of `path`, segment by segment, ignoring case. */
function matchesStart(template: string, path: string): boolean {
  const expected = template.split('/');
  const actual = path.split('/');
  if (actual.length < expected.length) return false;
  return expected.every((segment, i) => /[:*{(]/.test(segment) || segment.toLowerCase() === (actual[i] as string).toLowerCase());
}

/** A router mounted at several paths: the mount the request came through. */
function chooseMount(mounts: readonly string[], prefix: string, req: RoutedRequest): string {
  if (mounts.length <= 1) return mounts[0] ?? '';
  const path = pathOf(targetOf(req));
  return mounts.find((mount) => matchesStart(prefix + mount, path)) ?? (mounts[0] as string);
}

/**
 * The full route template, mount paths included, or undefined when no route matched (or its
 * path is not a string). Read when the span ends: a plain function, no per-request closure.
 */
export function expressRoute(req: RoutedRequest): string | undefined {
  const route = req.route;
  const template = route?.path;
  if (typeof template !== 'string') return undefined;
  // After an error has left a sub-app, req.app is the parent again, whose stack does not hold
  // the route: a route learnt before keeps its full name, a new one is named by its own template.
  const place = placeOf(route as object, isObject(req.app) ? (req.app as App) : NO_APP);
  if (place === undefined) return template;
  const prefix = appPrefix(place.app);
  return prefix + chooseMount(place.mounts, prefix, req) + template;
}
