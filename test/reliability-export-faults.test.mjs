// Network faults on the export path fail the export, never the process.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';

const APP = fileURLToPath(new URL('./support/export-fault-app.mjs', import.meta.url));

/**
 * An endpoint that answers 404 right after the request headers on a keep-alive connection
 * (no `Connection: close`), half-closes, stops reading and resets the socket 50 ms later, while
 * the client is still writing its body: how a mistyped collector URL behind a proxy behaves.
 */
async function earlyAnswerThenReset() {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    let head = '';
    const onData = (chunk) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.pause();
      socket.write('HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\nnot found');
      socket.end();
      setTimeout(() => socket.resetAndDestroy(), 50);
    };
    socket.on('data', onData);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1/traces`,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Runs the export in its own process; resolves its exit and output. */
function runExport(env) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [APP], { env: { ...process.env, OTEL_LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

describe('OTLP export to an endpoint that answers early and resets', () => {
  const endpoints = [];
  after(async () => {
    for (const endpoint of endpoints) await endpoint.close();
  });

  for (const protocol of ['http/protobuf', 'http/json']) {
    it(`a multi-MB batch (${protocol}) fails to export and the process lives on`, async () => {
      const endpoint = await earlyAnswerThenReset();
      endpoints.push(endpoint);
      // 512 spans of 16 KB: an 8 MB body, far more than the socket takes before the reset.
      const result = await runExport({ EFA_ENDPOINT: endpoint.url, EFA_SPANS: '512', EFA_ATTRIBUTE_BYTES: '16384', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol });
      assert.doesNotMatch(result.stderr, /Unhandled 'error'|ECONNRESET|EPIPE/, result.stderr);
      assert.equal(result.stdout, 'alive\n', `exit ${result.code ?? result.signal}:\n${result.stderr}`);
      assert.equal(result.code, 0);
      assert.match(result.stderr, /exporting spans to the OTLP collector .* failed/, 'the failed export is reported');
    });
  }
});
