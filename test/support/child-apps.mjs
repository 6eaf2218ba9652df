// Runs apps as child processes (as users start them) and receives the spans they export
// over OTLP/HTTP JSON on 127.0.0.1.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 };

function attributeValue(value) {
  if (value === undefined || value === null) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(attributeValue);
  return undefined;
}

function attributesOf(list = []) {
  return Object.fromEntries(list.map(({ key, value }) => [key, attributeValue(value)]));
}

/** An OTLP/HTTP JSON trace receiver; spans are flattened to { name, kind, traceId, spanId, parentSpanId, attributes, status, events, resource }. */
export async function startOtlpReceiver() {
  const spans = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        for (const resourceSpans of body.resourceSpans ?? []) {
          const resource = attributesOf(resourceSpans.resource?.attributes);
          for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
            for (const span of scopeSpans.spans ?? []) {
              spans.push({
                name: span.name,
                kind: span.kind,
                traceId: span.traceId,
                spanId: span.spanId,
                parentSpanId: span.parentSpanId || undefined,
                attributes: attributesOf(span.attributes),
                status: span.status ?? {},
                events: span.events ?? [],
                resource,
              });
            }
          }
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch {
        res.writeHead(400).end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}/v1/traces`;
  /** Waits (bounded) until `predicate(spans)` holds, then returns the spans. */
  async function waitFor(predicate, what = 'spans', timeoutMs = 8000) {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(spans)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; got: ${spans.map((s) => s.name).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return spans;
  }
  return { url, spans, waitFor, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** Environment for a child app exporting to `receiver` quickly, as OTLP JSON. */
export function exportTo(receiver, extra = {}) {
  return {
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '50',
    ...extra,
  };
}

/**
 * Starts `node ...args` from the repository root (so `otel-xray/...` resolves to the package
 * itself) and waits for the app to print `listening on http://…`.
 */
export async function startApp(args, env = {}, { timeoutMs = 10000 } = {}) {
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', OTEL_SERVICE_NAME: 'example', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start in ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`)), timeoutMs);
    const check = () => {
      const match = /listening on (http:\/\/[\d.:]+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        resolve(match[1]);
      }
    };
    child.stdout.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`app exited (${code ?? signal}) before listening\nstdout: ${stdout}\nstderr: ${stderr}`));
    });
  });
  return {
    url,
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    /** SIGTERM (otel-xray flushes on it), then waits for the exit. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const deadline = setTimeout(() => child.kill('SIGKILL'), 8000);
      const result = await exited;
      clearTimeout(deadline);
      return result;
    },
  };
}
