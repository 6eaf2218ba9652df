import { ResponseTooLargeError, post } from '../net/index.js';

const TIMEOUT_MS = 5000;

/** The proxy answered, but not with JSON the SDK can use (an HTTP error, not JSON, too large). */
export class UnusableAnswer extends Error {}

/**
 * POSTs JSON to the X-Ray sampling proxy (the daemon's or the collector's `awsproxy`, which
 * sign and forward to the X-Ray API) and resolves with the parsed JSON answer. The shared POST
 * helper runs it with tracing suppressed and outside any request context, so polling never
 * shows up as spans, and reads at most 4 MB of answer (the sampling API answers in a few kB).
 * `signal` aborts it when tracing shuts down, so a proxy that never answers holds nothing open.
 */
export async function postJson(url: URL, body: unknown, signal: AbortSignal): Promise<unknown> {
  let answer;
  try {
    answer = await post(url, JSON.stringify(body), { headers: { 'content-type': 'application/json' }, timeoutMillis: TIMEOUT_MS, signal });
  } catch (error) {
    throw error instanceof ResponseTooLargeError ? new UnusableAnswer('answer too large') : error;
  }
  if (answer.status !== 200) throw new UnusableAnswer(`HTTP ${answer.status}`);
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new UnusableAnswer('answer is not JSON');
  }
}
