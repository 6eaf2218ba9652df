#!/usr/bin/env node
/**
 * `otel-xray dev`: the local viewer. Receives OTLP/HTTP and X-Ray daemon traffic, prints each
 * finished trace as a tree and serves the page.
 */
import { parseArgs } from 'node:util';
import { renderTree } from './tree.js';
import { startViewer } from './viewer.js';

const USAGE = `Usage: otel-xray dev [options]

  --port <n>        the page (default 2999)
  --otlp-port <n>   OTLP/HTTP receiver, POST /v1/traces (default 4318)
  --udp-port <n>    X-Ray daemon UDP receiver (default 2000)
  --host <address>  interface to listen on (default 127.0.0.1)
  --max-traces <n>  traces held (default 200)

A port of 0 picks a free one; the addresses are printed.`;

function integer(value: string | undefined, fallback: number, name: string, min: number, max: number, what: string): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) throw new Error(`${name} must be ${what}, not "${value}"`);
  return number;
}

const port = (value: string | undefined, fallback: number, name: string): number => integer(value, fallback, name, 0, 65535, 'a port number (0-65535)');

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      'otlp-port': { type: 'string' },
      'udp-port': { type: 'string' },
      host: { type: 'string' },
      'max-traces': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || positionals[0] !== 'dev') {
    console.log(USAGE);
    process.exitCode = values.help ? 0 : 1;
    return;
  }
  const viewer = await startViewer({
    host: values.host ?? '127.0.0.1',
    port: port(values.port, 2999, '--port'),
    otlpPort: port(values['otlp-port'], 4318, '--otlp-port'),
    udpPort: port(values['udp-port'], 2000, '--udp-port'),
    maxTraces: integer(values['max-traces'], 200, '--max-traces', 1, 100_000, 'a number of traces (1-100000)'),
    onTrace: (traceId, spans, update) => console.log(`${update ? '(more spans arrived) ' : ''}${renderTree(traceId, spans)}`),
  });
  console.log(`otel-xray dev
  page        ${viewer.pageUrl}
  OTLP/HTTP   ${viewer.otlpUrl}   (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, exporter 'otlp')
  X-Ray UDP   ${viewer.udpAddress}   (AWS_XRAY_DAEMON_ADDRESS, exporter 'xray-daemon')
`);
  const stop = (): void => {
    viewer.settle();
    void viewer.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const inUse = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? ' (choose another with --port, --otlp-port or --udp-port; 0 picks a free one)' : '';
  console.error(`otel-xray: ${error instanceof Error ? error.message : String(error)}${inUse}`);
  process.exitCode = 1;
});
