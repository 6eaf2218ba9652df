import { diag } from '@opentelemetry/api';
import { type Socket, createSocket } from 'node:dgram';
import dns from 'node:dns';
import { isIP } from 'node:net';
import { errorMessage } from '../common/index.js';
import type { DaemonAddress } from './daemon-address.js';

/** How long a looked-up address is used before the name is looked up again (a daemon may move). */
const REFRESH_MS = 60_000;
/** How long after a failed lookup sends fail at once before the name is looked up again. */
const RETRY_LOOKUP_MS = 5_000;
/** How long a replaced socket stays open for the datagrams still queued on it. */
const OLD_SOCKET_GRACE_MS = 1_000;

interface Connection {
  socket: Socket;
  ip: string;
  connectedAt: number;
}

/**
 * A UDP socket connected to the X-Ray daemon. A host name is looked up once, not per
 * datagram: one lookup at a time, again every minute or after a refusal, and while a new
 * lookup runs the last address stays in use. `socket.send(…, host)` would look the name up
 * for every datagram on Node's shared resolver threads, which slows the app's own lookups and,
 * for a name that does not resolve yet (a sidecar still starting), stalls them. While the
 * name does not resolve, sends fail at once and the next lookup waits a few seconds.
 * Being connected, the socket also learns when nothing listens: the kernel reports the
 * refusal on a later send (ECONNREFUSED), which the exporter counts.
 */
export class DaemonSocket {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private lookupFailure: { error: Error; until: number } | undefined;
  private closed = false;

  constructor(private readonly address: DaemonAddress) {}

  /** The connected socket; rejects while the daemon's name does not resolve. */
  async connected(): Promise<Socket> {
    if (this.closed) throw new Error('the X-Ray daemon socket is closed');
    const current = this.connection;
    if (current !== undefined) {
      // Refresh in the background; sends keep going to the last address meanwhile.
      if (Date.now() - current.connectedAt >= REFRESH_MS) this.connect().catch(() => {});
      return current.socket;
    }
    return (await this.connect()).socket;
  }

  /** The daemon refused a datagram: look its name up again before the next export. */
  refused(): void {
    if (this.connection !== undefined) this.connection.connectedAt = 0;
  }

  private connect(): Promise<Connection> {
    const failure = this.lookupFailure;
    if (failure !== undefined && Date.now() < failure.until) return Promise.reject(failure.error);
    this.connecting ??= this.lookUpAndConnect().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async lookUpAndConnect(): Promise<Connection> {
    const { host, port } = this.address;
    let ip: string;
    try {
      ip = await lookUp(host);
      this.lookupFailure = undefined;
    } catch (cause) {
      const error = new Error(`cannot resolve the X-Ray daemon's host "${host}": ${errorMessage(cause)}`, { cause });
      this.lookupFailure = { error, until: Date.now() + RETRY_LOOKUP_MS };
      throw error;
    }
    const current = this.connection;
    if (current !== undefined && current.ip === ip) {
      current.connectedAt = Date.now();
      return current;
    }
    const socket = createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
    // An asynchronous socket error must never crash the app; refusals reach the send callbacks.
    socket.on('error', (error) => diag.debug(`otel-xray: X-Ray daemon socket error: ${error.message}`));
    socket.unref();
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, ip, () => {
        socket.off('error', reject);
        resolve();
      });
    }).catch((error: unknown) => {
      socket.close();
      throw error;
    });
    if (this.closed) {
      socket.close();
      throw new Error('the X-Ray daemon socket is closed');
    }
    this.connection = { socket, ip, connectedAt: Date.now() };
    // Closing cancels sends still queued on the old socket: give them a moment first.
    if (current !== undefined) setTimeout(() => current.socket.close(), OLD_SOCKET_GRACE_MS).unref();
    return this.connection;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => {});
    const current = this.connection;
    this.connection = undefined;
    if (current !== undefined) await new Promise<void>((resolve) => current.socket.close(() => resolve()));
  }
}

/** One lookup of `host`, IPv4 first (the daemon listens on 127.0.0.1 by default); an address is returned as is. */
function lookUp(host: string): Promise<string> {
  if (isIP(host) !== 0) return Promise.resolve(host);
  return new Promise((resolve, reject) => {
    // Through the module object, so a lookup the app installed there applies here too.
    dns.lookup(host, { verbatim: false }, (error, address) => (error === null ? resolve(address) : reject(error)));
  });
}
