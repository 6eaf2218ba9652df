import { isIP } from 'node:net';
import { invalidOption } from '../common/index.js';

/** Where the X-Ray daemon (or the CloudWatch agent) listens for segments. */
export interface DaemonAddress {
  host: string;
  port: number;
}

export const DEFAULT_DAEMON_ADDRESS = '127.0.0.1:2000';

function hostPort(value: string): DaemonAddress | undefined {
  const colon = value.lastIndexOf(':');
  if (colon <= 0) return undefined;
  let host = value.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(value.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  if (host.includes(':') && isIP(host) !== 6) return undefined;
  return { host, port };
}

/**
 * Parses `host:port`, or the `tcp:host:port udp:host:port` form the X-Ray SDKs accept (in
 * either order; the UDP address is the one segments go to). Throws a TypeError naming
 * `what` when the value is neither.
 *
 * @example
 * parseDaemonAddress('tcp:127.0.0.1:2000 udp:127.0.0.2:2001', 'AWS_XRAY_DAEMON_ADDRESS'); // { host: '127.0.0.2', port: 2001 }
 */
export function parseDaemonAddress(value: string, what: string): DaemonAddress {
  const parts = value.trim().split(/\s+/);
  let address: DaemonAddress | undefined;
  if (parts.length === 1 && !/^(tcp|udp):/i.test(parts[0] ?? '')) {
    address = hostPort(parts[0] ?? '');
  } else if (parts.length === 2) {
    const udp = parts.find((part) => part.toLowerCase().startsWith('udp:'));
    const tcp = parts.find((part) => part.toLowerCase().startsWith('tcp:'));
    if (udp !== undefined && tcp !== undefined && hostPort(tcp.slice(4)) !== undefined) address = hostPort(udp.slice(4));
  }
  if (address === undefined) {
    throw invalidOption(what, '"host:port" or "tcp:host:port udp:host:port"', value);
  }
  return address;
}

/**
 * The daemon's TCP address, where its sampling proxy answers, from `host:port` (one address
 * for both) or `tcp:host:port udp:host:port` (either order), as the X-Ray SDKs read
 * `AWS_XRAY_DAEMON_ADDRESS`. Throws a TypeError naming `what` when the value is neither.
 *
 * @example
 * parseDaemonTcpAddress('tcp:xray-daemon:2000 udp:xray-daemon:2001', 'AWS_XRAY_DAEMON_ADDRESS'); // { host: 'xray-daemon', port: 2000 }
 */
export function parseDaemonTcpAddress(value: string, what: string): DaemonAddress {
  const parts = value.trim().split(/\s+/);
  const tcp = parts.length === 2 ? parts.find((part) => part.toLowerCase().startsWith('tcp:')) : undefined;
  // parseDaemonAddress checks the whole value, both parts included.
  const address = parseDaemonAddress(value, what);
  return tcp === undefined ? address : (hostPort(tcp.slice(4)) as DaemonAddress);
}
