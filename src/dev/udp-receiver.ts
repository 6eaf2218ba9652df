import { type Socket, createSocket } from 'node:dgram';
import type { ReceiverCounters } from './counters.js';
import { decodeDaemonDatagram } from './from-xray-udp.js';
import type { ViewerSpan } from './types.js';

/**
 * The X-Ray daemon receiver: one segment document per UDP datagram, after the header line.
 * A datagram it cannot read is counted and dropped (UDP has no answer to give).
 */
export function createUdpReceiver(counters: ReceiverCounters, accept: (spans: ViewerSpan[]) => void): Socket {
  const socket = createSocket('udp4');
  socket.on('message', (datagram) => {
    let spans: ViewerSpan[];
    try {
      spans = decodeDaemonDatagram(datagram);
    } catch (error) {
      counters.rejected.udp++;
      counters.lastRejection = `UDP: ${error instanceof Error ? error.message : String(error)}`;
      return;
    }
    counters.accepted.udpDatagrams++;
    counters.accepted.spans += spans.length;
    accept(spans);
  });
  // A socket error (e.g. an ICMP report) must not end the process.
  socket.on('error', (error) => {
    counters.lastRejection = `UDP socket: ${error.message}`;
  });
  return socket;
}
