// Parent-side helpers for the reliability suite: run test/support/reliability-app.mjs in its own
// process, load it with autocannon, make plain and raw-socket requests on 127.0.0.1.
import { fork } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const APP = fileURLToPath(new URL('./reliability-app.mjs', import.meta.url));

/** Starts the app in a child process; resolves once it listens. Its stderr is collected. */
export async function startApp(env, { execArgv = [] } = {}) {
  const child = fork(APP, [], {
    env: { ...process.env, OTEL_LOG_LEVEL: 'warn', ...env },
    execArgv,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const ready = await Promise.race([
    new Promise((resolve) => child.once('message', resolve)),
    exited.then(({ code }) => Promise.reject(new Error(`app exited (${code}) before listening:\n${stderr}`))),
    new Promise((_, reject) => setTimeout(() => reject(new Error('app did not start within 20 s')), 20_000).unref()),
  ]);
  let nextId = 0;
  return {
    child,
    port: ready.port,
    url: `http://127.0.0.1:${ready.port}`,
    exited,
    get stderr() {
      return stderr;
    },
    request(message) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`app did not answer ${message.cmd}`)), 20_000);
        const onMessage = (reply) => {
          if (reply.id !== id) return;
          clearTimeout(timer);
          child.off('message', onMessage);
          resolve(reply);
        };
        child.on('message', onMessage);
        child.send({ ...message, id });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Sends `amount` requests over `connections` keep-alive connections; bounded by a timeout. */
export async function load(url, { amount, connections = 32, headers } = {}) {
  const result = await autocannon({ url, amount, connections, headers, timeout: 10, maxOverallRequests: amount });
  return {
    total: result.requests.total,
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

/** GET over a keep-alive agent; resolves {status, headers, body}. */
export function get(url, { headers = {}, agent } = {}) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { headers, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
      response.on('error', reject);
    });
    request.setTimeout(10_000, () => request.destroy(new Error('request timed out')));
    request.on('error', reject);
  });
}

/**
 * Writes `raw` (a complete HTTP/1.1 request, Connection: close) on a fresh socket and resolves
 * the status line's code and the raw response head, or status 0 if the server closed without
 * answering.
 */
export function rawRequest(port, raw) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('raw request timed out')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) => (error.code === 'ECONNRESET' ? resolve({ status: 0, head: '' }) : reject(error)));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.slice(0, Math.max(0, text.indexOf('\r\n\r\n')));
      const match = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ status: match ? Number(match[1]) : 0, head, text });
    });
    socket.write(typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw);
  });
}

/** The headers of a raw response head, lower-cased names, repeated names as arrays. */
export function parseHead(head) {
  const headers = {};
  for (const line of head.split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? [].concat(headers[name], value) : value;
  }
  return headers;
}

/** A port nothing listens on (bound then released), for a collector that refuses connections. */
export async function refusedPort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
