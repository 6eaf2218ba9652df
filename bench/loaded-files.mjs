// Which files a cold start loads: in a fresh process, require express and otel-xray (CJS build),
// startTracing(), xrayTracing(), then count the files in require.cache by package. Unlike a
// time, the count does not move when other processes share the cores.
//   node bench/loaded-files.mjs [--list] [--node PATH]
// Env such as OTEL_TRACES_EXPORTER passes through, so each exporter's start can be counted.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchNode } from './node-binary.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const node = benchNode(args);
const script = `
  const express = require('express');
  const { startTracing } = require('otel-xray');
  const { xrayTracing } = require('otel-xray/express');
  const files = () => Object.keys(require.cache);
  const before = files().length;
  startTracing({ serviceName: 'cold-start', flushOnSigterm: false });
  const app = express();
  app.use(xrayTracing());
  console.log(JSON.stringify({ files: files(), beforeStart: before }));
  process.exit(0);
`;
const env = { OTEL_NODE_RESOURCE_DETECTORS: undefined, ...process.env, OTEL_LOG_LEVEL: 'error' };
const out = JSON.parse(execFileSync(node.path, ['-e', script], { cwd: root, env, encoding: 'utf8', timeout: 60_000 }));
const owner = (file) => {
  const at = file.lastIndexOf('node_modules/');
  if (at < 0) return file.startsWith(join(root, 'dist')) ? 'otel-xray (dist)' : 'other';
  const parts = file.slice(at + 'node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
};
const byOwner = new Map();
for (const file of out.files) byOwner.set(owner(file), (byOwner.get(owner(file)) ?? 0) + 1);
console.log(`Node ${node.version}: ${out.files.length} files loaded (${out.beforeStart} after the requires, before startTracing)`);
for (const [name, count] of [...byOwner].sort((a, b) => b[1] - a[1])) console.log(`${String(count).padStart(5)}  ${name}`);
if (args.includes('--list')) for (const file of out.files) console.log(file);
