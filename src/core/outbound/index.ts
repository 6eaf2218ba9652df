/**
 * Outbound tracing: CLIENT spans and trace headers for fetch/undici and node:http(s) calls.
 * Returns a function that stops it.
 */
export function startOutboundTracing(): () => void {
  return () => {};
}
