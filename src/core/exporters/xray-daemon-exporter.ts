import { diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { type Socket, createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { DaemonAddress } from './daemon-address.js';
import { spanToSegment } from './segment/span-to-segment.js';
import { serializeWithin } from './segment/size.js';

const HEADER = '{"format": "json", "version": 1}\n';
/** The largest UDP payload over IPv4; the daemon reads datagrams of up to 64 KB. */
const MAX_DATAGRAM_BYTES = 65507;

/** What the daemon exporter has had to cut or could not send, since it started. */
export interface DaemonExporterStats {
  /** Documents sent. */
  sent: number;
  /** Documents trimmed to fit one datagram (see the README: metadata first, then stacks, …). */
  trimmed: number;
  /** Spans that could not be translated or sent. */
  failed: number;
}

/**
 * Sends each span as an X-Ray segment document to the X-Ray daemon over UDP: one datagram
 * per document, `{"format": "json", "version": 1}` and a newline before it. SERVER spans
 * become segments, the others independent subsegments; a document larger than a datagram
 * is trimmed, never dropped. UDP has no acknowledgement, so nothing is retried.
 *
 * @example
 * new XRayDaemonExporter({ host: '127.0.0.1', port: 2000 });
 */
export class XRayDaemonExporter implements SpanExporter {
  readonly stats: DaemonExporterStats = { sent: 0, trimmed: 0, failed: 0 };
  private socket: Socket | undefined;
  private pending = 0;
  private idle: (() => void)[] = [];
  private warnedTrim = false;

  constructor(private readonly address: DaemonAddress) {}

  private getSocket(): Socket {
    if (this.socket === undefined) {
      const socket = createSocket(isIP(this.address.host) === 6 ? 'udp6' : 'udp4');
      // An asynchronous socket error (e.g. DNS) must never crash the app.
      socket.on('error', (error) => diag.debug(`otel-xray: X-Ray daemon socket error: ${error.message}`));
      socket.unref();
      this.socket = socket;
    }
    return this.socket;
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (spans.length === 0) return resultCallback({ code: ExportResultCode.SUCCESS });
    this.pending++;
    let remaining = spans.length;
    let firstError: Error | undefined;
    const done = (error: Error | null | undefined): void => {
      if (error) {
        firstError ??= error;
        this.stats.failed++;
      } else {
        this.stats.sent++;
      }
      if (--remaining > 0) return;
      this.settle();
      resultCallback(firstError === undefined ? { code: ExportResultCode.SUCCESS } : { code: ExportResultCode.FAILED, error: firstError });
    };
    const socket = this.getSocket();
    for (const span of spans) {
      let datagram: Buffer;
      try {
        const { json, trimmed } = serializeWithin(spanToSegment(span), MAX_DATAGRAM_BYTES - HEADER.length);
        if (trimmed.length > 0) this.noteTrim(span.name, trimmed);
        datagram = Buffer.from(HEADER + json);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      try {
        socket.send(datagram, this.address.port, this.address.host, done);
      } catch (error) {
        done(error instanceof Error ? error : new Error(String(error)));
      }
    }
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
    const socket = this.socket;
    this.socket = undefined;
    if (socket !== undefined) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}
