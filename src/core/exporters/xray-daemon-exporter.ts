import { diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Socket } from 'node:dgram';
import type { DaemonAddress } from './daemon-address.js';
import { DaemonSocket } from './daemon-socket.js';
import { PartialExportError } from './failure-log.js';
import { spanToSegment } from './segment/span-to-segment.js';
import { serializeWithin } from './segment/size.js';

const HEADER = '{"format": "json", "version": 1}\n';
/** The largest UDP payload over IPv4; the daemon reads datagrams of up to 64 KB. */
const MAX_DATAGRAM_BYTES = 65507;
/**
 * At most this many datagrams, and bytes, go out before the event loop gets a turn. A burst
 * sent at once overflows the daemon's receive buffer (about 208 KB by default) faster than
 * its reader drains it, and the kernel drops the rest without telling anyone.
 */
const CHUNK_DATAGRAMS = 16;
const CHUNK_BYTES = 64 * 1024;

/** What the daemon exporter has had to cut or could not send, since it started. */
export interface DaemonExporterStats {
  /** Documents sent. */
  sent: number;
  /** Documents trimmed to fit one datagram (see the README: metadata first, then stacks, …). */
  trimmed: number;
  /** Spans that could not be translated or sent (refused ones included). */
  failed: number;
  /** Sends the kernel refused because nothing listened at the daemon's address. */
  refused: number;
}

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

/**
 * Sends each span as an X-Ray segment document to the X-Ray daemon over UDP: one datagram
 * per document, `{"format": "json", "version": 1}` and a newline before it. SERVER spans
 * become segments, the others independent subsegments; a document larger than a datagram
 * is trimmed, never dropped. A batch goes out in small chunks, the event loop turning between
 * them, so a daemon keeps up with a burst. UDP has no acknowledgement, so nothing is retried;
 * what could not be sent or was refused makes the export fail for those spans.
 *
 * @example
 * new XRayDaemonExporter({ host: '127.0.0.1', port: 2000 });
 */
export class XRayDaemonExporter implements SpanExporter {
  readonly stats: DaemonExporterStats = { sent: 0, trimmed: 0, failed: 0, refused: 0 };
  private readonly socket: DaemonSocket;
  private pending = 0;
  private idle: (() => void)[] = [];
  private warnedTrim = false;

  constructor(address: DaemonAddress) {
    this.socket = new DaemonSocket(address);
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (spans.length === 0) return resultCallback({ code: ExportResultCode.SUCCESS });
    this.pending++;
    void this.send(spans)
      .catch((error: unknown) => ({ code: ExportResultCode.FAILED, error: toError(error) }))
      .then((result) => {
        this.settle();
        resultCallback(result);
      });
  }

  private async send(spans: ReadableSpan[]): Promise<ExportResult> {
    const datagrams: Buffer[] = [];
    let failed = 0;
    let firstError: Error | undefined;
    const fail = (error: Error): void => {
      failed++;
      firstError ??= error;
    };
    for (const span of spans) {
      try {
        const { json, trimmed } = serializeWithin(spanToSegment(span), MAX_DATAGRAM_BYTES - HEADER.length);
        if (trimmed.length > 0) this.noteTrim(span.name, trimmed);
        datagrams.push(Buffer.from(HEADER + json));
      } catch (error) {
        fail(toError(error));
      }
    }
    let socket: Socket;
    try {
      socket = await this.socket.connected();
    } catch (error) {
      this.stats.failed += spans.length;
      return { code: ExportResultCode.FAILED, error: toError(error) };
    }
    let refused = false;
    for (let next = 0; next < datagrams.length; ) {
      const chunk: Buffer[] = [];
      let bytes = 0;
      while (next < datagrams.length && chunk.length < CHUNK_DATAGRAMS && (chunk.length === 0 || bytes + datagrams[next].length <= CHUNK_BYTES)) {
        bytes += datagrams[next].length;
        chunk.push(datagrams[next++]!);
      }
      const errors = await Promise.all(chunk.map((datagram) => sendOne(socket, datagram)));
      for (const error of errors) {
        if (error === undefined) {
          this.stats.sent++;
          continue;
        }
        fail(error);
        if ((error as { code?: unknown }).code === 'ECONNREFUSED') {
          this.stats.refused++;
          refused = true;
        }
      }
      if (next < datagrams.length) await new Promise((resolve) => setImmediate(resolve));
    }
    if (refused) this.socket.refused();
    this.stats.failed += failed;
    if (failed === 0) return { code: ExportResultCode.SUCCESS };
    const error = new PartialExportError(`${failed} of ${spans.length} spans were not sent: ${firstError?.message}`, failed, { cause: firstError });
    return { code: ExportResultCode.FAILED, error };
  }

  private noteTrim(name: string, steps: string[]): void {
    this.stats.trimmed++;
    if (this.warnedTrim) return;
    this.warnedTrim = true;
    diag.warn(`otel-xray: the X-Ray document of span "${name}" was over ${MAX_DATAGRAM_BYTES} bytes and was trimmed (${steps.join(', ')}); ` +
      'later trims are counted, not logged');
  }

  private settle(): void {
    if (--this.pending > 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }

  async forceFlush(): Promise<void> {
    if (this.pending > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    await this.socket.close();
  }
}

/** Sends one datagram on the connected socket; resolves its error, if any. */
function sendOne(socket: Socket, datagram: Buffer): Promise<Error | undefined> {
  return new Promise((resolve) => {
    try {
      socket.send(datagram, (error) => resolve(error ?? undefined));
    } catch (error) {
      resolve(toError(error));
    }
  });
}
