import { traceNodeHttp } from './node-http.js';
import { traceUndici } from './undici.js';

export { AWS_SDK_CALL_KEY } from './client-span.js';

/**
 * Outbound tracing: a CLIENT span and trace headers for every fetch/undici and node:http(s)
 * call made inside a trace, through diagnostics channels. Returns a function that stops it.
 *
 * @example
 * const stop = startOutboundTracing();
 * // … later, on shutdown
 * stop();
 */
export function startOutboundTracing(): () => void {
  const stopUndici = traceUndici();
  const stopHttp = traceNodeHttp();
  return () => {
    stopUndici();
    stopHttp();
  };
}
