// Outbound tracing works from diagnostics channels, so it survives bundling: an express app using
// otel-xray, bundled by esbuild into a single file (CJS and ESM) and run where no node_modules exist,
// still makes CLIENT spans for fetch and node:http and sends trace headers naming them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SpanKind } from '@opentelemetry/api';
import { build } from 'esbuild';
import { parseXRay } from './support/outbound.mjs';

const run = promisify(execFile);
const entry = fileURLToPath(new URL('./support/outbound-bundle-app.mjs', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'otel-xray-bundle-'));

after(() => rmSync(outDir, { recursive: true, force: true }));

const formats = {
  cjs: { outfile: join(outDir, 'app.cjs'), format: 'cjs' },
  // express and the OTel SDK still call require() for Node built-ins; an ESM bundle needs one.
  esm: { outfile: join(outDir, 'app.mjs'), format: 'esm', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } },
};

describe('a bundled app (esbuild, single file)', () => {
  for (const [label, options] of Object.entries(formats)) {
    it(`${label}: outbound CLIENT spans and trace headers, with otel-xray inside the bundle`, async () => {
      await build({ entryPoints: [entry], bundle: true, platform: 'node', target: 'node20', logLevel: 'silent', ...options });
      const code = readFileSync(options.outfile, 'utf8');
      assert.doesNotMatch(code, /require\(["']otel-xray/);
      assert.doesNotMatch(code, /from ["']otel-xray/);
      assert.match(code, /undici:request:create/);

      const { stdout } = await run(process.execPath, [options.outfile], { cwd: outDir, timeout: 30_000 });
      const { answer, spans, received } = JSON.parse(stdout);
      assert.equal(answer, 'ok+ok');

      const server = spans.find((span) => span.kind === SpanKind.SERVER);
      const clients = spans.filter((span) => span.kind === SpanKind.CLIENT);
      assert.ok(server);
      assert.equal(clients.length, 2, JSON.stringify(spans));
      assert.equal(received.length, 2);
      for (const request of received) {
        const client = clients.find((span) => span.url.endsWith(request.url));
        assert.ok(client, request.url);
        assert.equal(client.parentSpanId, server.spanId);
        assert.equal(client.traceId, server.traceId);
        assert.equal(parseXRay(request.xray).Parent, client.spanId);
        assert.equal(request.traceparent, `00-${client.traceId}-${client.spanId}-01`);
      }
    });
  }
});
