import { post } from '../net/index.js';

const TIMEOUT_MS = 5000;

/**
 * POSTs JSON to the X-Ray sampling proxy (the daemon's or the collector's `awsproxy`, which
 * sign and forward to the X-Ray API) and resolves with the parsed JSON answer. The shared POST
 * helper runs it with tracing suppressed and outside any request context, so polling never
 * shows up as spans, and reads at most 4 MB of answer (the sampling API answers in a few kB).
 * `signal` aborts it when tracing shuts down, so a proxy that never answers holds nothing open.
 */
export async function postJson(url: URL, body: unknown, signal: AbortSignal): Promise<unknown> {
  const answer = await post(url, JSON.stringify(body), { headers: { 'content-type': 'application/json' }, timeoutMillis: TIMEOUT_MS, signal });
  if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
  try {
    return JSON.parse(answer.body.toString('utf8'));
  } catch {
    throw new Error('answer is not JSON');
  }
}
