// The load generator: a separate process running autocannon on request from bench/run.mjs
// ({url, connections, duration} over IPC → a summary of the run; {cmd: 'exit'} ends it).
import autocannon from 'autocannon';

process.on('message', async ({ id, cmd, url, connections, duration }) => {
  if (cmd === 'exit') process.exit(0);
  const result = await autocannon({ url, connections, duration, pipelining: 1, timeout: 10 });
  process.send({
    id,
    total: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  });
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
