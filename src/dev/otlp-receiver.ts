import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import type { ReceiverCounters } from './counters.js';
import { fromOtlp } from './from-otlp.js';
import { decodeOtlpJson } from './otlp-json.js';
import { decodeOtlpProtobuf } from './otlp-protobuf.js';
import { BadPayload } from './otlp-record.js';
import type { ViewerSpan } from './types.js';

/** The largest request body taken, compressed or not; a bigger one is refused with a 413. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

class Refused extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Refused(413, `body over ${MAX_BODY_BYTES} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function decompress(body: Buffer, encoding: string | undefined): Buffer {
  try {
    if (encoding === undefined || encoding === 'identity') return body;
    if (encoding === 'gzip') return gunzipSync(body, { maxOutputLength: MAX_BODY_BYTES });
    if (encoding === 'deflate') return inflateSync(body, { maxOutputLength: MAX_BODY_BYTES });
  } catch (error) {
    throw new BadPayload(`cannot ${encoding}-decode the body: ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new Refused(415, `content-encoding ${encoding} is not supported`);
}

function mediaType(request: IncomingMessage): 'protobuf' | 'json' | undefined {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/**
 * The OTLP/HTTP trace receiver: POST /v1/traces, protobuf or JSON, optionally gzip. Every
 * span goes to `accept`; a payload it cannot decode gets a 400 and is counted, never a crash.
 */
export function createOtlpReceiver(counters: ReceiverCounters, accept: (spans: ViewerSpan[]) => void): Server {
  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/v1/traces') throw new Refused(404, `nothing at ${path}; OTLP traces go to POST /v1/traces`);
    if (request.method !== 'POST') throw new Refused(405, 'OTLP traces are POSTed');
    const type = mediaType(request);
    if (type === undefined) throw new Refused(415, `content-type ${request.headers['content-type'] ?? '(none)'}: send application/x-protobuf or application/json`);
    const raw = await readBody(request);
    let spans: ViewerSpan[];
    try {
      const body = decompress(raw, request.headers['content-encoding']?.toLowerCase());
      const records = type === 'protobuf' ? decodeOtlpProtobuf(body) : decodeOtlpJson(body.toString('utf8'));
      spans = records.map(fromOtlp);
    } catch (error) {
      if (error instanceof Refused) throw error;
      counters.rejected[type]++;
      throw error instanceof BadPayload ? error : new BadPayload(error instanceof Error ? error.message : String(error));
    }
    counters.accepted.otlpRequests++;
    counters.accepted.spans += spans.length;
    accept(spans);
    if (type === 'protobuf') response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }

  return createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const status = error instanceof Refused ? error.status : 400;
      const message = error instanceof Error ? error.message : String(error);
      if (!(error instanceof BadPayload)) counters.rejected.other++;
      counters.lastRejection = `OTLP: ${message}`;
      if (!response.headersSent) response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      response.end(JSON.stringify({ error: message }));
    });
  });
}
