import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ReceiverCounters, newCounters } from './counters.js';
import { createOtlpReceiver } from './otlp-receiver.js';
import { createPageServer } from './page-server.js';
import { type StoreLimits, TraceStore } from './trace-store.js';
import type { PlacedSpan } from './trace-view.js';
import { createUdpReceiver } from './udp-receiver.js';

/** Options of `startViewer` (and of `otel-xray dev`). */
export interface ViewerOptions extends Partial<StoreLimits> {
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The page's port (default 2999; 0 picks a free one). */
  port?: number;
  /** The OTLP/HTTP receiver's port (default 4318; 0 picks a free one). */
  otlpPort?: number;
  /** The X-Ray daemon receiver's UDP port (default 2000; 0 picks a free one). */
  udpPort?: number;
  /**
   * Called with each finished trace (no new span for `settleMs`), its spans in tree order;
   * called again, with `update` true, when more spans arrive for it later.
   */
  onTrace?: (traceId: string, spans: PlacedSpan[], update: boolean) => void;
}

export interface Viewer {
  /** `http://host:port/`, the page. */
  pageUrl: string;
  /** `http://host:port/v1/traces`, the OTLP/HTTP traces endpoint. */
  otlpUrl: string;
  /** `host:port`, as AWS_XRAY_DAEMON_ADDRESS takes it. */
  udpAddress: string;
  store: TraceStore;
  counters: ReceiverCounters;
  /** Reports every trace not yet reported to `onTrace`, now. */
  settle(): void;
  close(): Promise<void>;
}

async function listen(server: Server, port: number, host: string): Promise<number> {
  server.listen(port, host);
  await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error))]);
  return (server.address() as AddressInfo).port;
}

/**
 * Starts the local viewer: an OTLP/HTTP receiver, an X-Ray daemon UDP receiver and the page,
 * sharing one bounded store of the last traces.
 *
 * @example
 * const viewer = await startViewer({ port: 0, otlpPort: 0, udpPort: 0 });
 * console.log(viewer.pageUrl, viewer.otlpUrl, viewer.udpAddress);
 */
export async function startViewer(options: ViewerOptions = {}): Promise<Viewer> {
  const { host = '127.0.0.1', port = 2999, otlpPort = 4318, udpPort = 2000, onTrace = () => {}, ...limits } = options;
  const counters = newCounters();
  const store = new TraceStore(limits, onTrace);
  const accept = store.add.bind(store);
  const otlp = createOtlpReceiver(counters, accept);
  const udp = createUdpReceiver(counters, accept);
  const addresses = { otlp: '', udp: '' };
  const pageServer = createPageServer({ store, counters, addresses: () => addresses });
  const started: (() => Promise<void>)[] = [];
  const close = async (): Promise<void> => {
    store.close();
    await Promise.all(started.splice(0).map((stop) => stop()));
  };
  const stopServer = (server: Server) => () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  try {
    const otlpBound = await listen(otlp, otlpPort, host);
    started.push(stopServer(otlp));
    started.push(() => new Promise<void>((resolve) => udp.close(() => resolve())));
    udp.bind(udpPort, host);
    await Promise.race([once(udp, 'listening'), once(udp, 'error').then(([error]) => Promise.reject(error))]);
    const pageBound = await listen(pageServer, port, host);
    started.push(stopServer(pageServer));
    addresses.otlp = `http://${host}:${otlpBound}/v1/traces`;
    addresses.udp = `${host}:${udp.address().port}`;
    return {
      pageUrl: `http://${host}:${pageBound}/`,
      otlpUrl: addresses.otlp,
      udpAddress: addresses.udp,
      store,
      counters,
      settle: () => store.settle(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
