import { readFile } from 'node:fs/promises';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { ReceiverCounters } from './counters.js';
import { buildServiceMap } from './service-map.js';
import type { TraceStore } from './trace-store.js';
import { summarize } from './trace-view.js';

/** The page's files, shipped next to this module (copied into dist by the build). */
const PAGE_DIR = new URL('./page/', import.meta.url);
const PAGE_FILE = /^[a-z-]+\.(html|js|css)$/;
const CONTENT_TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

export interface PageContext {
  store: TraceStore;
  counters: ReceiverCounters;
  /** The receivers' addresses, shown on the page. */
  addresses: () => { otlp: string; udp: string };
}

const json = (response: ServerResponse, status: number, body: unknown): void => {
  response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
};

/** `1-<8>-<24>` or 32 hex digits → 32 hex digits. */
const traceIdOf = (id: string): string => id.replace(/^1-([0-9a-f]{8})-([0-9a-f]{24})$/i, '$1$2').toLowerCase();

function api(path: string, context: PageContext, response: ServerResponse): void {
  const { store, counters } = context;
  if (path === '/api/stats') return json(response, 200, { version: store.version, ...store.stats(), limits: store.limits, ...counters, addresses: context.addresses() });
  if (path === '/api/traces') return json(response, 200, { version: store.version, traces: store.summaries() });
  if (path === '/api/service-map') return json(response, 200, { version: store.version, ...buildServiceMap(store.placedTraces()) });
  const match = /^\/api\/traces\/([0-9a-fA-F-]{32,35})$/.exec(path);
  const traceId = match === null ? undefined : traceIdOf(match[1]);
  const spans = traceId === undefined ? undefined : store.trace(traceId);
  if (traceId === undefined || spans === undefined) return json(response, 404, { error: `no trace at ${path}` });
  json(response, 200, { version: store.version, summary: summarize(traceId, spans), spans });
}

async function page(path: string, response: ServerResponse): Promise<void> {
  const name = path === '/' ? 'index.html' : path.slice(1);
  if (!PAGE_FILE.test(name)) return json(response, 404, { error: `no page file ${path}` });
  let body: Buffer;
  try {
    body = await readFile(new URL(name, PAGE_DIR));
  } catch {
    return json(response, 404, { error: `no page file ${path}` });
  }
  response.writeHead(200, { 'content-type': CONTENT_TYPES[name.split('.').pop() ?? 'html'], 'cache-control': 'no-store' }).end(body);
}

/** The page and the JSON API it reads (GET only). */
export function createPageServer(context: PageContext): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') return json(response, 405, { error: 'the viewer only answers GET' });
    if (path.startsWith('/api/')) {
      try {
        api(path, context, response);
      } catch (error) {
        json(response, 500, { error: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
    page(path, response).catch((error: unknown) => json(response, 500, { error: String(error) }));
  });
}
