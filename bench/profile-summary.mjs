// Prints the functions with the most self time in a .cpuprofile (from `node --cpu-prof`).
//   node bench/profile-summary.mjs bench/profiles/<file>.cpuprofile [count]
import { readFileSync } from 'node:fs';

const [file, count = '30'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfTime = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const node = byId.get(profile.samples[i]);
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/main\//, '')}:${lineNumber + 1}`;
  selfTime.set(key, (selfTime.get(key) ?? 0) + (deltas[i] ?? 0));
}
selfTime.delete('(idle) :0');
const total = [...selfTime.values()].reduce((a, b) => a + b, 0);
const rows = [...selfTime.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(count));
for (const [key, micros] of rows) console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${key}`);

// Self time by owner: a package, otel-xray's dist, Node's async_hooks, the rest of Node.
const byOwner = new Map();
for (const [key, micros] of selfTime) {
  const where = key.slice(key.indexOf(' ') + 1);
  let owner = 'native / node';
  if (where.startsWith('dist/')) owner = 'otel-xray';
  else if (/async_hooks/.test(where)) owner = 'node async_hooks';
  else if (/^node:/.test(where)) owner = 'node';
  else if (where.includes('node_modules') || /^[@a-z]/.test(where)) owner = where.startsWith('@') ? where.split('/').slice(0, 2).join('/') : where.split('/')[0];
  byOwner.set(owner, (byOwner.get(owner) ?? 0) + micros);
}
console.log('\nby owner:');
for (const [owner, micros] of [...byOwner.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${((micros / total) * 100).toFixed(1).padStart(5)}%  ${owner}`);
}
