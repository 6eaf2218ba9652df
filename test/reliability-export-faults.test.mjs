// Network faults and hostile answers on the export path fail the export, never the process, and
// never put a credential in the log or an unbounded answer in memory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
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

// Requests are signed with these; none of them may reach the log.
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIDEXPORTFAULTS0001', AWS_SECRET_ACCESS_KEY: 'export-faults-secret-key', AWS_SESSION_TOKEN: 'export-faults-session-token' };
const SIGV4_ENV = {
  EFA_EXPORTER: 'xray-otlp',
  AWS_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  EFA_SPANS: '4',
  EFA_ATTRIBUTE_BYTES: '16',
  ...CREDENTIALS,
};

/** An HTTP endpoint on 127.0.0.1 whose answers come from `handler`. */
async function endpointAnswering(handler) {
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v1/traces`,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('X-Ray OTLP (SigV4) export to a hostile endpoint', () => {
  it('an early answer and reset while a multi-MB batch is written fails the export, and the process lives on', async () => {
    const endpoint = await earlyAnswerThenReset();
    try {
      const result = await runExport({ ...SIGV4_ENV, EFA_ENDPOINT: endpoint.url, EFA_SPANS: '512', EFA_ATTRIBUTE_BYTES: '16384' });
      assert.doesNotMatch(result.stderr, /Unhandled 'error'/, result.stderr);
      assert.equal(result.stdout, 'alive\n', `exit ${result.code ?? result.signal}:\n${result.stderr}`);
      assert.match(result.stderr, /exporting spans to X-Ray's OTLP endpoint .* failed: HTTP 404/);
    } finally {
      await endpoint.close();
    }
  });

  it('an error answer that echoes the request headers puts no credential in the log', async () => {
    let signature;
    const endpoint = await endpointAnswering((req, res) => {
      req.resume();
      signature = /Signature=([0-9a-f]+)/.exec(String(req.headers.authorization))?.[1];
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'bad request', echoed: req.headers }));
    });
    try {
      const result = await runExport({ ...SIGV4_ENV, EFA_ENDPOINT: endpoint.url });
      assert.equal(result.stdout, 'alive\n', result.stderr);
      assert.ok(signature, 'the request was signed');
      assert.match(result.stderr, /exporting spans to X-Ray's OTLP endpoint .* failed: HTTP 400/);
      for (const secret of [...Object.values(CREDENTIALS), signature, 'Credential=', 'x-amz-security-token']) {
        assert.ok(!result.stderr.includes(secret), `the log contains ${secret}:\n${result.stderr}`);
      }
    } finally {
      await endpoint.close();
    }
  });

  it('an answer of 256 MB is read only up to 4 MB, and the export fails', async () => {
    const TOTAL = 256 * 1024 * 1024;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let written = 0;
    const endpoint = await endpointAnswering((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': TOTAL });
        const more = () => {
          while (written < TOTAL && !res.destroyed) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          if (written >= TOTAL) res.end();
        };
        res.on('close', () => res.removeAllListeners('drain'));
        more();
      });
    });
    try {
      const result = await runExport({ ...SIGV4_ENV, EFA_ENDPOINT: endpoint.url });
      assert.equal(result.stdout, 'alive\n', result.stderr);
      assert.match(result.stderr, /exporting spans to X-Ray's OTLP endpoint .* failed: the answer was larger than 4194304 bytes/);
      // What the client stopped reading at, plus what the socket buffers took: far below the whole answer.
      assert.ok(written < 32 * 1024 * 1024, `${(written / 1048576).toFixed(1)} MB were written before the client stopped reading`);
    } finally {
      await endpoint.close();
    }
  });
});
