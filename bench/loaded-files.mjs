// Which files a cold start loads: in a fresh process, require express and otel-xray (CJS build),
// startTracing(), xrayTracing(), then count the files in require.cache by package. Unlike a
// time, the count does not move when other processes share the cores.
//   node bench/loaded-files.mjs [--list] [--node PATH]
// Env such as OTEL_TRACES_EXPORTER passes through, so each exporter's start can be counted.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
// The build bundles packages into dist/: name the ones whose code those files hold.
const contentsFile = join(root, 'dist/bundle-contents.json');
const contents = existsSync(contentsFile) ? JSON.parse(readFileSync(contentsFile, 'utf8')) : {};
const bundled = [...new Set(out.files.flatMap((file) => contents[file.slice(root.length + 1)] ?? []))].filter((name) => name !== 'otel-xray');
if (bundled.length > 0) console.log(`bundled into those dist files: ${bundled.sort().join(', ')}`);
if (args.includes('--list')) for (const file of out.files) console.log(file + (contents[file.slice(root.length + 1)] ? `  (${contents[file.slice(root.length + 1)].join(', ')})` : ''));
