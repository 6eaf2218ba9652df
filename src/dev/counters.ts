/** What the receivers took in and turned away since the viewer started. */
export interface ReceiverCounters {
  accepted: { otlpRequests: number; udpDatagrams: number; spans: number };
  /** Payloads answered with a 400 (or dropped, over UDP), by kind. */
  rejected: { protobuf: number; json: number; udp: number; other: number };
  /** The reason the last payload was rejected, for the page. */
  lastRejection?: string;
}

export const newCounters = (): ReceiverCounters => ({
  accepted: { otlpRequests: 0, udpDatagrams: 0, spans: 0 },
  rejected: { protobuf: 0, json: 0, udp: 0, other: 0 },
});
